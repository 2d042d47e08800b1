/**
 * sheriff.1, the man page, written from the commander program itself so it
 * lists exactly the commands and options the CLI has.
 */
import type { Command, Help } from 'commander';

/** Text as roff reads it literally: backslashes, minus signs, non-ASCII, lines that would be requests. */
export function roffText(text: string): string {
  return (
    text
      .replace(/\\/g, '\\e')
      .replace(/-/g, '\\-')
      // groff reads ASCII; anything else goes in as a named code point.
      .replace(
        /[^\x00-\x7f]/gu,
        (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
      )
      .split('\n')
      .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
      .join('\n')
  );
}

/** Each command's options; --help is said once, under OPTIONS, not under every command. */
function optionsSection(help: Help, cmd: Command, withHelp: boolean): string[] {
  return help
    .visibleOptions(cmd)
    .filter((o) => withHelp || o.long !== '--help')
    .flatMap((o) => [
      '.TP',
      `.B ${roffText(help.optionTerm(o))}`,
      roffText(help.optionDescription(o)),
    ]);
}

function commandSections(help: Help, cmd: Command): string[] {
  // commander's implicit `help [command]` is said once, in DESCRIPTION.
  const subs = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  return subs.flatMap((sub) => {
    const lines = [`.SS "${roffText(help.commandUsage(sub))}"`];
    const description = help.commandDescription(sub);
    if (description) lines.push(roffText(description));
    for (const a of help.visibleArguments(sub))
      lines.push(
        '.TP',
        `.I ${roffText(help.argumentTerm(a))}`,
        roffText(help.argumentDescription(a)),
      );
    return [...lines, ...optionsSection(help, sub, false), ...commandSections(help, sub)];
  });
}

export function manualPage(program: Command, version: string): string {
  const help = program.createHelp();
  const lines = [
    `.TH SHERIFF 1 "" "sheriff ${roffText(version)}" "User Commands"`,
    '.SH NAME',
    `sheriff \\- ${roffText(help.commandDescription(program))}`,
    '.SH SYNOPSIS',
    `.B sheriff`,
    '[\\fIoptions\\fR] \\fIcommand\\fR [\\fIargs\\fR]',
    '.SH DESCRIPTION',
    roffText(
      "Sheriff watches a Linux server's auth logs as they are written, detects brute force and " +
        'break-ins, tells the admin, and bans in the firewall once a human approves. ' +
        'Every command explains itself with "sheriff COMMAND --help".',
    ),
    '.SH OPTIONS',
    ...optionsSection(help, program, true),
    '.SH COMMANDS',
    ...commandSections(help, program),
    '.SH ENVIRONMENT',
    '.TP',
    '.B SHERIFF_CONFIG',
    roffText('the configuration file, when --config is not given'),
    '.TP',
    '.B SHERIFF_DB',
    roffText("the SQLite store's path, over the configuration's store.path"),
    '.TP',
    '.BR SHERIFF_LANG ", " LANG',
    roffText('the language of messages: ko or en'),
    '.SH FILES',
    '.TP',
    '.I /etc/sheriff/sheriff.yaml',
    roffText(
      'the configuration ("sheriff config check" validates it, "sheriff config print" shows every default)',
    ),
    '.TP',
    '.I /etc/sheriff/filters.d/',
    roffText(
      'your own filters, one NAME.yaml each (the setting filters.dir); a file named like a built-in filter replaces it ("sheriff filters" lists them, "sheriff test-filter --spec FILE" tries one)',
    ),
    '.TP',
    '.I /usr/lib/sheriff/filters/',
    roffText('the built-in filters, and README.md: the filter file format'),
    '.TP',
    '.I /var/lib/sheriff/sheriff.db',
    roffText(
      'the store of the systemd service sheriff.service: events, findings, bans, approvals, the audit log',
    ),
    '.SH EXIT STATUS',
    roffText(
      '0 on success; 2 when Sheriff was called or configured wrongly (the message names the file, line and field); 1 on other failures.',
    ),
    '.SH SEE ALSO',
    '.BR systemctl (1),',
    '.BR nft (8),',
    '.I /usr/share/doc/sheriff/README.md',
  ];
  return lines.join('\n') + '\n';
}
