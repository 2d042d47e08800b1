/**
 * Compiles a FilterSpec for one mode into a Classifier: regexes built once,
 * rules looked up by the literal text their matches begin with (dispatch.ts) so
 * a line is only tried against the rules that can match it, and bounded
 * per-connection state.
 */
import type { AuthEvent, ConnectionAddress, ConnectionJournal, LogRecord } from '../domain.js';
import { Connections, type Connection } from './connections.js';
import { canonicalIp } from '../net/ip.js';
import { detach } from '../detach.js';
import { numberGroups } from './regex.js';
import type { ParseOptions } from '../parse/line.js';
import {
  COMMON_TIME_FORMATS,
  compileLineFormat,
  LineTimes,
  timeFinder,
  type TimeSpan,
} from '../parse/own-line.js';
import { TimeZone } from '../parse/zone.js';
import { HOST, type FilterSpec, type RuleResult, type RuleSpec } from './spec.js';
import { escapeRegExp, occursTwice, splitPatterns, SplitPatternError } from './splits.js';
import { LeadingDispatch, leadingLiterals, PrefixSkipper } from './dispatch.js';

export class FilterSpecError extends Error {}

export interface Classifier {
  readonly filter: string;
  readonly mode: string;
  /**
   * The event for a line this filter recognises, or null (not its program, or no rule
   * matched). `line` is the text the record was parsed from: a filter with its own line
   * format or `matchOn: line` reads it.
   */
  classify(record: LogRecord, line?: string): AuthEvent | null;
  /** Per-connection entries currently held. */
  readonly connectionCount: number;
  /**
   * Takes back connection addresses saved by an earlier process (see ConnectionJournal),
   * oldest first. Call before the first line.
   */
  restore(addresses: Iterable<ConnectionAddress>): void;
}

export interface CompileOptions {
  journal?: ConnectionJournal;
  /** The zone and "now" for times a filter reads itself (own line format, `matchOn: line`); default UTC, now. */
  times?: ParseOptions;
}

interface CompiledRule {
  spec: RuleSpec;
  /** Sticky: it matches at `lastIndex`, just after the stripped message prefix. */
  re: RegExp;
  result: RuleResult;
  /** What every match begins with (dispatch.ts); `['']` when nothing can be said. */
  literals: string[];
  /** Group numbers of host, user and ruser (0: absent). */
  host: number;
  user: number;
  ruser: number;
  /** Set when the host can be read in more than one place (see splits.ts); `re` is then the greedy form. */
  split: Split | null;
}

interface Split {
  /** The greedy and lazy forms with match indices, run only on lines that could read two ways. */
  greedy: RegExp;
  lazy: RegExp;
  literal: string;
  /** The greedy form with `{HOST}` still in it, to ask whether the line reads with a given host. */
  pattern: string;
  /** Those questions' regexes by host; cleared when full. */
  withHost: Map<string, RegExp>;
}

const MAX_HOST_PATTERNS = 256;
const MAX_PROGRAM_ANSWERS = 1024;

/**
 * Connections are short-lived; a cap keeps a flood of pids from growing memory. sshd lets
 * at most 100 connections wait for authentication at once (MaxStartups' default).
 */
const MAX_CONNECTIONS = 10_000;
const MAX_USERS_PER_CONNECTION = 32;
/** Pre-authentication state older than this belongs to an earlier process with the same pid. */
export const CONNECTION_IDLE_MS = 10 * 60_000;
/**
 * A rule pattern as a regex with numbered groups; `host` is what `{HOST}` becomes. Sticky
 * patterns match at the message start (a leading `^` is implied); search patterns
 * (`matchOn: line`) keep theirs.
 */
function build(pattern: string, flags: string, host = HOST) {
  // A function, so that "$" in `host` is never read as a replacement pattern.
  const source = pattern.replace('{HOST}', () => host);
  const sticky = flags.includes('y');
  const numbered = numberGroups(sticky && source.startsWith('^') ? source.slice(1) : source);
  return { re: new RegExp(numbered.source, flags), groups: numbered.groups };
}

function compileRule(
  spec: RuleSpec,
  mode: string,
  filter: string,
  search = false,
): CompiledRule | null {
  const result = typeof spec.result === 'string' ? spec.result : spec.result[mode];
  if (result === undefined) return null;
  const hosts = spec.pattern.split('{HOST}').length - 1;
  const fail = (what: string) => new FilterSpecError(`${filter}: rule ${spec.id}: ${what}`);
  if (hosts > 1) throw fail('{HOST} may appear only once');
  let built: ReturnType<typeof build>;
  let split: Split | null = null;
  try {
    // A line searched whole has no one message start to read a second way from.
    const patterns = spec.clientTextAfterHost && !search ? splitPatterns(spec.pattern) : null;
    built = build(patterns?.greedy ?? spec.pattern, search ? '' : 'y');
    if (patterns !== null)
      split = {
        greedy: build(patterns.greedy, 'dy').re,
        lazy: build(patterns.lazy, 'dy').re,
        literal: patterns.literal,
        pattern: patterns.greedy,
        withHost: new Map(),
      };
  } catch (err) {
    if (err instanceof SplitPatternError) throw fail(err.message);
    throw fail(`invalid pattern: ${(err as Error).message}`);
  }
  const { re, groups } = built;
  return {
    spec: sameShape(spec),
    re,
    result,
    literals: search ? [''] : leadingLiterals(spec.pattern),
    host: groups.get('host') ?? 0,
    user: groups.get('user') ?? 0,
    ruser: groups.get('ruser') ?? 0,
    split,
  };
}

/**
 * The rule with every key, in one order. Rules read from a filter's JSON have only the keys
 * they set, each set its own hidden class: `apply` reading a flag of rules of a dozen shapes
 * was a megamorphic lookup (V8's slowest kind) for every flag on every event.
 */
function sameShape(spec: RuleSpec): RuleSpec {
  return {
    id: spec.id,
    pattern: spec.pattern,
    result: spec.result,
    begins: spec.begins === true,
    ends: spec.ends === true,
    pending: spec.pending === true,
    distinctUsers: spec.distinctUsers === true,
    givesUp: spec.givesUp === true,
    sameTry: spec.sameTry === true,
    clientTextAfterHost: spec.clientTextAfterHost === true,
  };
}

function prefixRegex(spec: FilterSpec): RegExp | null {
  return spec.messagePrefix ? new PrefixSkipper(spec.messagePrefix).regex : null;
}

/** fail2ban's ignoreregex: searched anywhere in the text a rule matched. */
function ignoreRegexes(spec: FilterSpec): RegExp[] {
  return (spec.ignore ?? []).map((p) => build(p, '').re);
}

/** Every regex a filter runs, as the engine compiles it (source and flags), once each. */
export function filterRegexes(spec: FilterSpec): { rule: string; re: RegExp }[] {
  const out = new Map<string, { rule: string; re: RegExp }>();
  const add = (rule: string, re: RegExp | null) => {
    if (re !== null && !out.has(`${re.flags}/${re.source}`))
      out.set(`${re.flags}/${re.source}`, { rule, re });
  };
  const search = spec.matchOn === 'line';
  for (const mode of spec.modes)
    for (const r of spec.rules) {
      const c = compileRule(r, mode, spec.name, search);
      add(r.id, c?.re ?? null);
      add(`${r.id} (lazy)`, c?.split?.lazy ?? null);
    }
  add('messagePrefix', prefixRegex(spec));
  ignoreRegexes(spec).forEach((re, i) => add(`ignore.${i}`, re));
  if (spec.lineFormat !== undefined) add('lineFormat', new RegExp(spec.lineFormat.pattern));
  return [...out.values()];
}

/**
 * What `mode` tries on a message, in the order it tries it: each rule's sticky regex and
 * the literals it is dispatched by. The bench's regex floor (bench/regex-floor.ts) runs
 * exactly these, to measure what the regexes alone cost.
 */
export function messageRules(
  spec: FilterSpec,
  mode: string,
): { id: string; re: RegExp; literals: string[] }[] {
  return spec.rules
    .map((r) => compileRule(r, mode, spec.name))
    .filter((r) => r !== null)
    .map((r) => ({ id: r.spec.id, re: r.re, literals: r.literals }));
}

export function compileFilter(
  spec: FilterSpec,
  mode: string = spec.defaultMode,
  options: CompileOptions = {},
): Classifier {
  if (!spec.modes.includes(mode))
    throw new FilterSpecError(
      `filter ${spec.name} has no mode "${mode}" (modes: ${spec.modes.join(', ')})`,
    );
  const ids = new Set<string>();
  for (const r of spec.rules) {
    if (ids.has(r.id)) throw new FilterSpecError(`${spec.name}: duplicate rule id ${r.id}`);
    ids.add(r.id);
  }
  const search = spec.matchOn === 'line';
  const rules = spec.rules
    .map((r) => compileRule(r, mode, spec.name, search))
    .filter((r) => r !== null);
  const times = new LineTimes(options.times ?? { zone: new TimeZone('UTC'), reference: Date.now });
  return new SpecClassifier(spec, mode, rules, options.journal ?? null, times);
}

class SpecClassifier implements Classifier {
  readonly filter: string;
  readonly mode: string;
  private readonly programs: ReadonlySet<string> | null;
  private readonly programPrefixes: readonly string[];
  private readonly maxMessageLength: number;
  private readonly prefix: PrefixSkipper | null;
  private readonly dispatch: LeadingDispatch<CompiledRule>;
  /** Keyed by pid; a connection remembers its syslog host and is reset when another host's pid collides. */
  private readonly connections: Connections | null;
  private readonly ignore: readonly RegExp[];
  /** The record a line of the service's own log makes (lines with no syslog tag only). */
  private readonly ownLine: ((line: string) => LogRecord | null) | null;
  /** `matchOn: line`: every rule, searched in the line without its time. */
  private readonly lineRules: readonly CompiledRule[] | null;
  /** Where a `matchOn: line` line keeps its time, when it has no syslog header. */
  private readonly findTime: ((text: string) => TimeSpan | null) | null;
  private readonly declaredTimes: boolean;

  constructor(
    spec: FilterSpec,
    mode: string,
    rules: CompiledRule[],
    private readonly journal: ConnectionJournal | null,
    private readonly times: LineTimes,
  ) {
    this.filter = spec.name;
    this.mode = mode;
    const programs = spec.programs ?? [];
    this.programs =
      spec.programs === null ? null : new Set(programs.filter((p) => !p.endsWith('*')));
    this.programPrefixes = programs.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
    this.maxMessageLength = spec.maxMessageLength ?? 4096;
    this.prefix = spec.messagePrefix ? new PrefixSkipper(spec.messagePrefix) : null;
    this.connections = spec.connections ? new Connections(MAX_CONNECTIONS) : null;
    this.ignore = ignoreRegexes(spec);
    this.ownLine = spec.lineFormat === undefined ? null : compileLineFormat(spec.lineFormat, times);
    this.lineRules = spec.matchOn === 'line' ? rules : null;
    this.declaredTimes = spec.timeFormats !== undefined;
    this.findTime =
      spec.matchOn === 'line' ? timeFinder(spec.timeFormats ?? COMMON_TIME_FORMATS, times) : null;
    this.dispatch = new LeadingDispatch(rules.map((r) => ({ literals: r.literals, value: r })));
  }

  get connectionCount(): number {
    return this.connections?.size ?? 0;
  }

  restore(addresses: Iterable<ConnectionAddress>): void {
    if (this.connections === null) return;
    for (const a of addresses) {
      this.connections.delete(a.pid);
      this.connections.open(a.pid, a.logHost, a.seenAt).host = a.host;
    }
  }

  classify(record: LogRecord, line?: string): AuthEvent | null {
    if (
      this.ownLine !== null &&
      line !== undefined &&
      record.format !== 'journal' &&
      (record.program === null || this.programs === null || !this.readsProgram(record.program))
    ) {
      // The service's own format names the program itself, or needs none. A syslog reading
      // may take part of it for a tag (PostgreSQL's "[4242]", MongoDB's "[conn1]"), so the
      // own format is also tried on lines whose "program" is not one this filter reads.
      const own = this.ownLine(line);
      if (own !== null) return this.lineRules === null ? this.match(own) : this.search(own, line);
    }
    if (this.lineRules !== null) {
      // A line with no syslog tag names no program to check (fail2ban reads any line of the file).
      if (record.program !== null && this.programs !== null && !this.readsProgram(record.program))
        return null;
      return this.search(record, line);
    }
    if (this.programs !== null && !this.readsProgram(record.program)) return null;
    return this.match(record);
  }

  /** The rules matched at the message's start (after the prefix): Sheriff's own filters. */
  private match(record: LogRecord): AuthEvent | null {
    const message = record.message;
    if (message.length > this.maxMessageLength) return null;
    // Rules match from `start`, after the prefix, without copying the message.
    const start = this.prefix === null ? 0 : this.prefix.skip(message);
    for (const rule of this.dispatch.candidates(message, start)) {
      rule.re.lastIndex = start;
      const m = rule.re.exec(message);
      if (m !== null)
        return this.ignored(message) ? null : this.apply(record, message, start, rule, m);
    }
    return null;
  }

  /**
   * fail2ban's way: each rule searches the whole line, its time cut out first (the
   * syslog header's, else the first time `timeFormats` find). A journal record has no
   * line: it reads as fail2ban prints one, "host program[pid]: message".
   */
  private search(record: LogRecord, line: string | undefined): AuthEvent | null {
    let text: string;
    let time = record.time;
    if (line === undefined || record.format === 'journal') {
      const pid = record.pid === null ? '' : `[${record.pid}]`;
      text = `${record.host ?? ''} ${record.program ?? ''}${pid}: ${record.message}`;
    } else {
      text = line;
      // Declared formats first (fail2ban's datepattern), else the syslog header's time.
      const span =
        (this.declaredTimes ? null : this.times.syslogSpan(text)) ?? this.findTime!(text);
      if (span !== null) {
        text = text.slice(0, span.start) + text.slice(span.end);
        time = span.time ?? time;
      }
    }
    if (text.length > this.maxMessageLength) return null;
    for (const rule of this.lineRules!) {
      const m = rule.re.exec(text);
      if (m === null) continue;
      if (this.ignored(text)) return null;
      return this.apply(time === record.time ? record : { ...record, time }, text, 0, rule, m);
    }
    return null;
  }

  private ignored(text: string): boolean {
    for (const re of this.ignore) if (re.test(text)) return true;
    return false;
  }

  private readsProgram(program: string | null): boolean {
    if (program === null) return false;
    // Consecutive lines mostly come from the same program: remember the last answer.
    if (program === this.lastProgram) return this.lastProgramRead;
    let answer = this.programAnswers.get(program);
    if (answer === undefined) {
      let read = this.programs!.has(program);
      if (!read)
        for (const prefix of this.programPrefixes) if (program.startsWith(prefix)) read = true;
      // A log has a handful of programs; a flood of made-up ones starts the memory over.
      if (this.programAnswers.size >= MAX_PROGRAM_ANSWERS) this.programAnswers.clear();
      answer = { program: detach(program), read };
      this.programAnswers.set(answer.program, answer);
    }
    // The kept copy, not this line's: a view into the line would keep its whole chunk alive.
    this.lastProgram = answer.program;
    this.lastProgramRead = answer.read;
    return answer.read;
  }

  private lastProgram = '';
  private lastProgramRead = false;
  /** Whether this filter reads a program, by name: mixed logs switch programs every few lines. */
  private readonly programAnswers = new Map<string, { program: string; read: boolean }>();

  private apply(
    record: LogRecord,
    message: string,
    start: number,
    rule: CompiledRule,
    m: RegExpExecArray,
  ): AuthEvent {
    const spec = rule.spec;
    const matchedHost = rule.host === 0 ? undefined : m[rule.host];
    let host = matchedHost ?? null;
    let user = rule.user === 0 ? null : (m[rule.user] ?? null);
    const ruser = rule.ruser === 0 ? undefined : m[rule.ruser];
    if ((user === null || user === '') && ruser) user = ruser;
    const conn = this.connection(record, spec.begins === true);
    let result: AuthEvent['result'] = rule.result;
    let attempts = 1;
    const accepted = rule.result === 'success';
    let users: string[] | null = null;
    let ambiguous = false;

    if (host !== null && rule.split !== null && this.readsTwoWays(rule, message, start)) {
      // The text cannot say which address connected: only the connection's own can, if the line reads with it.
      const known = conn?.host ?? null;
      const reading = known === null ? null : this.readWithHost(rule, message, start, known);
      if (reading === null) {
        host = null;
        ambiguous = true;
      } else {
        host = known;
        if (rule.user !== 0) user = reading[rule.user] ?? null;
      }
    }

    if (conn !== null) {
      if (host !== null) {
        if (host !== conn.host) {
          conn.host = detach(host);
          this.journal?.learned({
            logHost: conn.logHost,
            pid: record.pid!,
            host: conn.host,
            seenAt: record.time,
          });
        }
      } else if (!ambiguous) host = conn.host;
      if (
        user !== null &&
        !conn.users.includes(user) &&
        conn.users.length < MAX_USERS_PER_CONNECTION
      )
        conn.users.push(detach(user));

      if (rule.result === 'success') {
        // Failing as one user and getting in as another is a failure, not a forgiven typo.
        if (conn.failedUsers.length > 0 && user !== null && !conn.failedUsers.includes(user)) {
          result = 'fail';
          attempts = conn.pending + 1;
        }
        conn.pending = 0;
        conn.sameTries = 0;
        conn.hostlessFailure = false;
      } else if (rule.result === 'fail') {
        if (matchedHost === undefined && host === null) {
          // The address is not known yet: count it when a later line of this connection tells it.
          conn.hostlessFailure = true;
          result = 'nofail';
        } else {
          attempts = conn.pending + 1 - Math.min(conn.sameTries, 1);
          conn.pending = 0;
          conn.sameTries = 0;
          conn.hostlessFailure = false;
          if (user !== null && !conn.failedUsers.includes(user))
            conn.failedUsers.push(detach(user));
        }
      } else if (spec.pending) {
        const other = user !== null && conn.failedUsers.some((u) => u !== user);
        if (user !== null && !conn.failedUsers.includes(user)) conn.failedUsers.push(detach(user));
        if (spec.distinctUsers && other) {
          result = 'fail';
          attempts = conn.pending + 1;
          conn.pending = 0;
          conn.sameTries = 0;
        } else {
          conn.pending++;
          if (spec.sameTry) conn.sameTries++;
        }
      } else if (conn.hostlessFailure && host !== null) {
        result = 'fail';
        attempts = conn.pending + 1;
        conn.pending = 0;
        conn.sameTries = 0;
        conn.hostlessFailure = false;
      } else if (
        spec.givesUp &&
        !conn.counted &&
        host !== null &&
        (conn.users.length > 0 || conn.pending > 0)
      ) {
        // One failure for the whole connection, however many keys it offered.
        result = 'fail';
        conn.pending = 0;
        conn.sameTries = 0;
      }
      if (result === 'fail') conn.counted = true;
      users = conn.users.length > 0 ? conn.users.slice() : null;
      if (spec.ends || rule.result === 'success') this.drop(record.pid!, conn);
    }

    const event: AuthEvent = {
      time: record.time,
      filter: this.filter,
      rule: spec.id,
      result,
      host,
      ip: host === null ? null : canonicalIp(host),
      user,
      users,
      attempts,
      accepted,
    };
    if (ambiguous) event.ambiguous = true;
    return event;
  }

  /** Whether the line puts the host in two places: the lazy reading's host is left of the greedy one's. */
  private readsTwoWays(rule: CompiledRule, message: string, start: number): boolean {
    const split = rule.split!;
    // Each reading has its own copy of the text before the host: one copy, one reading.
    if (!occursTwice(message, split.literal, start)) return false;
    split.greedy.lastIndex = start;
    split.lazy.lastIndex = start;
    const right = split.greedy.exec(message)?.indices?.[rule.host];
    const left = split.lazy.exec(message)?.indices?.[rule.host];
    return right === undefined || left === undefined || left[0] !== right[0];
  }

  /** The line read with `host` as its host, or null when it cannot be. */
  private readWithHost(
    rule: CompiledRule,
    message: string,
    start: number,
    host: string,
  ): RegExpExecArray | null {
    const split = rule.split!;
    let re = split.withHost.get(host);
    if (re === undefined) {
      if (split.withHost.size >= MAX_HOST_PATTERNS) split.withHost.clear();
      re = build(split.pattern, 'y', `(?<host>${escapeRegExp(host)})`).re;
      split.withHost.set(host, re);
    }
    re.lastIndex = start;
    return re.exec(message);
  }

  /**
   * A kept copy of a line's syslog host: the last one, while lines name the same host (a
   * string made per line and kept by a connection would live on into V8's old generation).
   */
  private logHost(host: string | null): string | null {
    if (host === null) return null;
    if (host !== this.lastLogHost) this.lastLogHost = detach(host);
    return this.lastLogHost;
  }

  private lastLogHost = '';

  /** Forgets a connection (and tells the journal, when it knew an address). */
  private drop(pid: number, conn: Connection): void {
    this.connections!.delete(pid);
    if (conn.host !== null) this.journal?.forgotten(conn.logHost, pid);
  }

  private connection(record: LogRecord, begins: boolean): Connection | null {
    const map = this.connections;
    if (map === null || record.pid === null) return null;
    let conn = map.touch(record.pid);
    const t = record.time;
    if (
      conn !== undefined &&
      (begins ||
        conn.logHost !== record.host ||
        (t !== null && conn.lastSeen !== null && t - conn.lastSeen > CONNECTION_IDLE_MS))
    ) {
      // Another connection under the same pid: what the old one knew is stale.
      this.drop(record.pid, conn);
      conn = undefined;
    }
    if (conn === undefined) conn = map.open(record.pid, this.logHost(record.host), t);
    else if (t !== null) conn.lastSeen = t;
    return conn;
  }
}
