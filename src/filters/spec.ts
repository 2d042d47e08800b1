/**
 * The declarative form of a filter: data, not code. Each filter is a YAML file
 * (filters/*.yaml, a user's filters.d; format: filters/README.md) that load.ts
 * reads into a FilterSpec; the engine (engine.ts) compiles it once per mode.
 *
 * A rule's `pattern` is a regular expression matched against the message (after
 * `messagePrefix` is stripped), anchored at its start. `{HOST}` stands for the
 * address or host name token and must appear at most once; name other captures
 * `user` or `ruser`.
 *
 * Attacker-controlled text (a user name, a client banner) before the host must
 * never become the extracted address. Either the pattern fixes what follows the
 * host (tokens up to the end of the line, or fields the program itself writes),
 * so the host can sit in one place only; or the rule sets `clientTextAfterHost`
 * and the engine looks for a second reading of the line (splits.ts): a line
 * that could put the host in two places takes no address from its own text.
 */

/** What a rule says about a line in a mode. `nofail` lines only help (a host for the connection). */
export type RuleResult = 'fail' | 'success' | 'nofail';

export interface RuleSpec {
  /** Stable id, shown by `sheriff test-filter` and stored with events. */
  id: string;
  pattern: string;
  /** The result in every mode, or per mode; a rule is inactive in modes a map leaves out. */
  result: RuleResult | Readonly<Record<string, RuleResult>>;
  /**
   * Connection bookkeeping (filters with `connections: true`, keyed by host and pid):
   * - `begins`: a new connection starts here; earlier state under the same pid is dropped.
   * - `ends`: the connection is over after this line.
   * - `pending`: a failure that counts only when the connection does not end in success
   *   (a failed public key before an accepted one); it is added to the next failure's attempts.
   * - `distinctUsers`: pending failures count at once when a second user name is tried.
   * - `givesUp`: the client left before authenticating. Where the mode says `nofail`, this
   *   counts as one failure when the connection named a user (on this line or earlier)
   *   and nothing on it has counted yet: on a key-only server that is all a refused
   *   login leaves. A connection that logged in was dropped at its success, so a client
   *   that offered several keys before the right one counts nothing.
   * Every address a line gives unambiguously becomes the connection's address: it
   * settles the lines of the same connection that could name two.
   */
  begins?: boolean;
  ends?: boolean;
  pending?: boolean;
  distinctUsers?: boolean;
  givesUp?: boolean;
  /**
   * With `pending`: the program writes its own failure line for the same try right after
   * this one (Debian's PAM "authentication failure" then sshd's "Failed password"), so the
   * failure that follows absorbs one such line instead of adding it: one wrong password is
   * one failure. Left alone (no failure follows), the line counts as `pending` says.
   */
  sameTry?: boolean;
  /**
   * Text the client influences may follow the host, not only precede it (sshd's
   * `Failed … from A port N ssh2: INFO`), so a user name holding a whole fake tail
   * makes the line read with the host in two places. The engine then looks for both
   * readings (splits.ts); the pattern must have exactly one free run (`.*`, `.*?`)
   * before {HOST}.
   */
  clientTextAfterHost?: boolean;
}

export interface FilterSpec {
  name: string;
  description: string;
  /**
   * Programs (syslog tag or journald _COMM) whose lines this filter reads; null for any line.
   * An entry ending in `*` matches by prefix (`postfix/*` matches `postfix/submission/smtpd`).
   */
  programs: readonly string[] | null;
  /** Messages longer than this are not this program's (default 4096): it bounds regex work on crafted lines. */
  maxMessageLength?: number;
  modes: readonly string[];
  defaultMode: string;
  /** Stripped from the start of every message before the rules run (e.g. "error: "). */
  messagePrefix?: string;
  /** Track state per connection: multi-line failures, forgiven failures, hosts from helper lines. */
  connections?: boolean;
  /** Messages (or lines, with `matchOn: line`) any of these match are never an event: fail2ban's ignoreregex. */
  ignore?: readonly string[];
  /**
   * The service's own log format, for lines with no syslog header: a regex with
   * named groups `message` (required), `time`, `host`, `pid` and `program`, and
   * the strftime-style formats of `time`.
   */
  lineFormat?: { pattern: string; time?: readonly string[] };
  /**
   * `line`: rules search the whole line with its time removed, anywhere, not from
   * the message's start: fail2ban's failregex semantics, for imported filters.
   */
  matchOn?: 'message' | 'line';
  /** strftime-style formats of the time in a `matchOn: line` line (fail2ban's datepattern). */
  timeFormats?: readonly string[];
  rules: readonly RuleSpec[];
}

/**
 * The host token: an IPv4/IPv6 address (with an optional %zone) or a host name. It must
 * hold a dot, colon or letter, so a bare port number is never taken for a host. The first
 * part takes no dot, colon or letter, so the split is decided at once: matching stays
 * linear on a long run of host characters (no quadratic backtracking on crafted lines).
 */
export const HOST = '(?<host>[0-9_%-]*[.:A-Za-z][\\w.:%-]*)';
