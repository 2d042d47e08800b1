/**
 * Bash and zsh completions, written from the commander program itself so they
 * offer exactly the commands and options the CLI has.
 */
import type { Command, Help } from 'commander';

interface Level {
  /** "sheriff", "sheriff config", …: the words that lead here. */
  path: string;
  commands: { name: string; description: string }[];
  options: { flag: string; description: string }[];
  /** Options here that take a value (the next word is theirs, not a command). */
  valued: string[];
}

const WORD = /^[\w-]+$/;

function word(w: string): string {
  // Names go into the scripts unquoted; commander's are plain words, but say so if one is not.
  if (!WORD.test(w)) throw new Error(`completion: "${w}" is not a plain word`);
  return w;
}

export function levels(program: Command): Level[] {
  const help: Help = program.createHelp();
  const walk = (cmd: Command, path: string): Level[] => {
    const options = help.visibleOptions(cmd);
    const subs = help.visibleCommands(cmd);
    const level: Level = {
      path,
      commands: subs.map((c) => ({ name: word(c.name()), description: c.description() })),
      options: options.flatMap((o) =>
        [o.long, o.short]
          .filter((f): f is string => f !== undefined)
          .map((f) => ({ flag: word(f), description: o.description })),
      ),
      valued: options
        .filter((o) => o.required || o.optional)
        .flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
    };
    return [level, ...subs.flatMap((c) => walk(c, `${path} ${c.name()}`))];
  };
  return walk(program, program.name());
}

const singleQuoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** An associative array: bash's ([key]=value …), zsh's (key value …). */
function table(name: string, entries: [string, string][], shell: 'bash' | 'zsh'): string {
  const pair = ([k, v]: [string, string]) =>
    shell === 'bash'
      ? `[${singleQuoted(k)}]=${singleQuoted(v)}`
      : `${singleQuoted(k)} ${singleQuoted(v)}`;
  return `${name}=(\n${entries.map((e) => `  ${pair(e)}`).join('\n')}\n)`;
}
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export function bashCompletion(program: Command): string {
  const all = levels(program);
  const root = program.name();
  return `# bash completion for ${root}; generated from its commands and options by the build.
${table(
  'declare -A _sheriff_words',
  all.map((l) => [
    l.path,
    [...l.commands.map((c) => c.name), ...l.options.map((o) => o.flag)].join(' '),
  ]),
  'bash',
)}
${table(
  'declare -A _sheriff_commands',
  all.map((l) => [l.path, l.commands.map((c) => c.name).join(' ')]),
  'bash',
)}
${table(
  'declare -A _sheriff_valued',
  all.map((l) => [l.path, l.valued.join(' ')]),
  'bash',
)}

_sheriff() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path=${root} word i skip=
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [ -n "$skip" ]; then skip=; continue; fi
    case " \${_sheriff_valued[$path]} \${_sheriff_valued[${root}]} " in *" $word "*) skip=1; continue ;; esac
    case " \${_sheriff_commands[$path]} " in *" $word "*) path="$path $word" ;; esac
  done
  COMPREPLY=()
  # An option's value: left to the default completion (file names).
  [ -n "$skip" ] && return
  mapfile -t COMPREPLY < <(compgen -W "\${_sheriff_words[$path]}" -- "$cur")
}
complete -o default -F _sheriff ${root}
`;
}

export function zshCompletion(program: Command): string {
  const all = levels(program);
  const root = program.name();
  const described = (items: { name: string; description: string }[]) =>
    items.map((i) => `${i.name}:${oneLine(i.description)}`).join('\n');
  return `#compdef ${root}
# zsh completion for ${root}; generated from its commands and options by the build.
typeset -gA _sheriff_commands _sheriff_options _sheriff_valued
${table(
  '_sheriff_commands',
  all.map((l) => [l.path, described(l.commands)]),
  'zsh',
)}
${table(
  '_sheriff_options',
  all.map((l) => [
    l.path,
    described(l.options.map((o) => ({ name: o.flag, description: o.description }))),
  ]),
  'zsh',
)}
${table(
  '_sheriff_valued',
  all.map((l) => [l.path, l.valued.join(' ')]),
  'zsh',
)}

_sheriff() {
  local cmdpath=${root} word skip= i
  local -a commands options
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if [[ -n $skip ]]; then skip=; continue; fi
    if [[ " \${_sheriff_valued[$cmdpath]} \${_sheriff_valued[${root}]} " == *" $word "* ]]; then skip=1; continue; fi
    commands=(\${(f)_sheriff_commands[$cmdpath]})
    if (( \${commands[(I)$word:*]} )); then cmdpath="$cmdpath $word"; fi
  done
  # An option's value: file names.
  if [[ -n $skip ]]; then _files; return; fi
  commands=(\${(f)_sheriff_commands[$cmdpath]})
  options=(\${(f)_sheriff_options[$cmdpath]})
  _describe -t commands 'command' commands
  _describe -t options 'option' options
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _sheriff "$@"
else
  compdef _sheriff ${root}
fi
`;
}
