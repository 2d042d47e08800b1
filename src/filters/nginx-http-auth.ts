/**
 * nginx HTTP basic authentication (auth_basic, and the third-party auth_pam
 * module) failures, read from nginx's error log: the file itself, or nginx's
 * lines relayed by syslog or the journal.
 *
 * Modes mean what they mean in fail2ban's nginx-http-auth filter:
 * - normal (and its alias auth): wrong passwords and unknown users;
 * - fallback: TLS handshakes broken by records no real client sends (scanners);
 * - aggressive: both.
 *
 * The address is nginx's "client:" field. Text on both sides of it is the
 * client's: the user name before it; the request line, Host header and
 * referrer after it. nginx writes them unescaped, so a crafted value can hold
 * a whole fake ", client: X, server: …" sequence. The rules take the first
 * "client:" whose tail parses, to the end of the line, as what nginx appends:
 * request line and Host as single tokens (nginx 1.21.1 and later reject spaces
 * in them), a referrer that does not itself hold ", client: ", and a user name
 * before it that does not hold the referrer field. A fake tail in the user
 * name does not parse to the end of the line, so nginx's own one is taken.
 * When a fake referrer makes it parse (in the user name or the real referrer),
 * the line is not counted at all: either address could be the sender's.
 *
 * Limits no line reader can lift: nginx before 1.21.1 accepts spaces in the
 * request line and Host header, which can hold a fake tail the same way; and a
 * user name with a line break in it writes a whole forged line. Keep admin
 * and monitoring networks trusted.
 */
import type { FilterSpec, RuleResult } from './spec.js';

/**
 * The prefix of nginx's error-log lines as syslog or the journal carry them:
 * an optional "host nginx: " (nginx's own syslog header kept in the message),
 * an optional date, "[level] pid#tid: " and the connection number. Lines read
 * from the error log itself arrive without it (src/parse/weblog.ts strips it).
 */
export const NGINX_ERROR_PREFIX =
  '(?:\\S+ \\S+: )?(?:\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )?\\[[a-z]+\\] \\d+#\\d+: (?:\\*\\d+ )?';

/**
 * nginx cuts an error-log line at 2048 bytes, so a longer message is not nginx's;
 * refusing it also bounds the work a crafted line can cause.
 */
const SHORT = '(?!.{2048})';
/** A client-supplied name: lazy, and never swallowing the referrer field that follows the address. */
const USER = '(?<user>(?:(?!, referrer: ").)*?)';
/** What nginx appends after the client address of a request, to the end of the line. */
const TAIL =
  ', server: \\S*, request: "[A-Z_-]+ \\S+(?: HTTP/\\d(?:\\.\\d)?)?"' +
  '(?:, host: "\\S*")?(?:, referrer: "(?:(?!, client: ).)*")?$';

const auth: Record<string, RuleResult> = { normal: 'fail', auth: 'fail', aggressive: 'fail' };
const fallback: Record<string, RuleResult> = { fallback: 'fail', aggressive: 'fail' };

/** OpenSSL reasons for records a TLS client library never produces. */
const BAD_TLS = [
  '(?:packet |encrypted |record )?length too (?:long|short)',
  'bad record type',
  'record layer failure',
  'bad key share',
  // An alert OpenSSL has no name for.
  'reason\\(\\d+\\):SSL alert number \\d+',
].join('|');

export const nginxHttpAuth: FilterSpec = {
  name: 'nginx-http-auth',
  description: 'nginx basic authentication: wrong passwords and unknown users; malformed TLS',
  programs: null,
  modes: ['normal', 'auth', 'fallback', 'aggressive'],
  defaultMode: 'normal',
  messagePrefix: NGINX_ERROR_PREFIX,
  rules: [
    {
      id: 'password-mismatch',
      pattern: `user "${SHORT}${USER}": password mismatch, client: {HOST}${TAIL}`,
      result: auth,
    },
    {
      // fail2ban's corpus also has the form with a colon after the name.
      id: 'user-not-found',
      pattern: `user "${SHORT}${USER}":? was not found in "[^"]*", client: {HOST}${TAIL}`,
      result: auth,
    },
    {
      // ngx_http_auth_pam_module; the reason is pam_strerror's text.
      id: 'pam-failure',
      pattern: `PAM: user '${SHORT}${USER}' - not authenticated: [^,]*, client: {HOST}${TAIL}`,
      result: auth,
    },
    {
      // Nothing before the address is the client's (OpenSSL's text has no comma), so it is the first one.
      id: 'bad-tls',
      // A lookahead finds the reason: run inline, each reason would be tried against each ") while" (cubic).
      pattern: `SSL_(?:do_handshake|read)\\(\\) failed \\(SSL: (?=[^,]*?(?:${BAD_TLS}))[^,]*\\) while (?:SSL handshaking|waiting for request|reading client request (?:line|headers)), client: {HOST}, server: `,
      result: fallback,
    },
  ],
};
