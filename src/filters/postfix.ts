/**
 * Postfix smtpd and postscreen: SMTP rejections, SASL failures, abusive clients.
 *
 * Modes mean what they mean in fail2ban's postfix filter:
 * - more (default) and normal: rejections that mark a bad client (bad HELO, no
 *   reverse DNS, unknown users, relaying, access-table and milter rejections,
 *   DNSBL hits), command pipelining and "too many errors";
 * - rbl: DNSBL rejections only;
 * - errors: "too many errors" only (for a jail that bans on the first one);
 * - auth: SASL authentication failures (not "Connection lost to authentication server",
 *   which is our side, nor "Invalid authentication mechanism");
 * - ddos: clients that drop or flood the connection: lost connections outside the
 *   DATA phase, sessions whose every AUTH failed, postscreen violations, rate limits;
 * - extra: normal + auth;
 * - aggressive: all of the above, plus "Invalid authentication mechanism" and
 *   clients whose reverse DNS name does not resolve back to them.
 *
 * Postfix prints the client as "name[address]" right after "from" (or "warning: "),
 * before anything the client chose (HELO, envelope addresses, SASL user name,
 * pipelined text); the name is only shown when its forward lookup confirms it, so
 * the address is taken from that fixed place.
 */
import type { FilterSpec, RuleResult } from './spec.js';

/** "name[address]" with postscreen's or smtpd_client_port_logging's optional ":port". */
const CLIENT = '[^\\[\\]\\s]*\\[{HOST}\\](?::\\d+)?';
/** SMTP reply and enhanced status code: "450 4.7.1", "554 5.7.25". */
const CODE = '[45]\\d\\d [45]\\.\\d{1,3}\\.\\d{1,3}';
/** The address or HELO name a restriction quotes, possibly empty: "<x@y>: ", ": ", or nothing. */
const QUOTED = '(?:<[^>]*>: |: )?';
const REJECT = `(?:milter-)?reject: [A-Z]+ from ${CLIENT}: `;
const RESTRICTION = '(?:Helo command|Sender address|Recipient address|Client host) rejected: ';
/** Restriction texts that mark a misconfigured or hostile client, not a greylist or a full mailbox. */
const BAD_CLIENT = [
  'need fully-qualified (?:hostname|address)',
  'Invalid name',
  '(?:Host|Domain) not found',
  'Malformed DNS server reply',
  'cannot find your (?:reverse )?hostname',
  'User unknown',
  '[Uu]ndeliverable address',
  'Access denied',
].join('|');

const normal: Record<string, RuleResult> = {
  more: 'fail',
  normal: 'fail',
  extra: 'fail',
  aggressive: 'fail',
};
const withRbl: Record<string, RuleResult> = { ...normal, rbl: 'fail' };
const withErrors: Record<string, RuleResult> = { ...normal, errors: 'fail' };
const auth: Record<string, RuleResult> = { auth: 'fail', extra: 'fail', aggressive: 'fail' };
const ddos: Record<string, RuleResult> = { ddos: 'fail', aggressive: 'fail' };

/**
 * syslog_name is set per master.cf service and per instance, so the program is
 * "postfix/smtpd", "postfix/submission/smtpd", "postfix-<instance>/smtpd"…; journald
 * records carry the process name. The engine matches names exactly: these are the
 * stock ones and those seen in fail2ban's corpus. Other syslog_name values must be added.
 */
// Postfix names its services freely (postfix/submission/smtpd, postfix-<instance>/smtpd):
// match by prefix. Under journald the trusted process names are plain smtpd and postscreen.
const PROGRAMS = ['postfix/*', 'postfix-*', 'smtpd', 'postscreen'];

export const postfix: FilterSpec = {
  name: 'postfix',
  description: 'Postfix SMTP: rejected clients, SASL failures, DNSBL hits, abusive connections',
  programs: PROGRAMS,
  modes: ['more', 'normal', 'rbl', 'errors', 'auth', 'ddos', 'extra', 'aggressive'],
  defaultMode: 'more',
  // The queue id ("NOQUEUE", short hex or long base-52 ids); "warning: " is kept.
  messagePrefix: '(?:NOQUEUE|[0-9A-F]{5,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}): ',
  rules: [
    // A SASL login that worked: not counted, but lets a jail see a login after failures.
    {
      id: 'sasl-login',
      pattern: `client=${CLIENT}, sasl_method=[\\w-]+, sasl_username=(?<user>.*)$`,
      result: { auth: 'success', extra: 'success', aggressive: 'success' },
    },

    // SMTP rejections (normal, more).
    {
      id: 'reject-rbl',
      pattern: `${REJECT}${CODE} Service unavailable; [Cc]lient(?: host)? \\[[^\\]\\s]+\\] blocked using `,
      result: withRbl,
    },
    {
      id: 'reject',
      pattern: `${REJECT}${CODE} ${QUOTED}(?:Relay access denied|${RESTRICTION}(?:${BAD_CLIENT})|(?:Data )?[Cc]ommand rejected)`,
      result: normal,
    },
    {
      // An access table's REJECT (access_map_reject_code 554, 5.7.1) with the admin's own text.
      id: 'reject-access',
      pattern: `${REJECT}554 5\\.7\\.1 ${QUOTED}${RESTRICTION}`,
      result: normal,
    },
    {
      id: 'pipelining',
      pattern: `improper command pipelining after [A-Z-]+ from ${CLIENT}(?::.*)?$`,
      result: normal,
    },
    {
      // smtpd_hard_error_limit reached.
      id: 'too-many-errors',
      pattern: `too many errors after [A-Z-]+ from ${CLIENT}$`,
      result: withErrors,
    },

    // SASL (auth). GSSAPI is left out: clients try it first and fail without any guessing.
    {
      id: 'sasl-failed',
      pattern: `warning: ${CLIENT}: SASL (?!GSSAPI )[\\w-]+ authentication failed:(?! Connection lost to authentication server| Invalid authentication mechanism)(?:.*?, sasl_username=(?<user>.*))?`,
      result: auth,
    },
    {
      id: 'sasl-bad-mechanism',
      pattern: `warning: ${CLIENT}: SASL (?!GSSAPI )[\\w-]+ authentication failed: Invalid authentication mechanism`,
      result: { aggressive: 'fail' },
    },

    // ddos: connections that end badly or too fast. A client dropping during DATA
    // is often a lawful sender's network; after AUTH the "disconnect" line counts.
    {
      id: 'lost-connection',
      pattern: `lost connection after (?!(?:DATA|BDAT|END-OF-MESSAGE|AUTH)\\b)[A-Z-]+ from ${CLIENT}`,
      result: ddos,
    },
    {
      // "auth=0/N": every one of N AUTH commands failed.
      id: 'disconnect-auth-failed',
      pattern: `disconnect from ${CLIENT}(?: [a-z]+=\\d+(?:/\\d+)?)* auth=0/[1-9]\\d*(?: |$)`,
      result: ddos,
    },
    {
      id: 'postscreen-pregreet',
      pattern: 'PREGREET \\d+ after [\\d.]+ from \\[{HOST}\\]:\\d+',
      result: ddos,
    },
    {
      id: 'postscreen-hangup',
      pattern: 'HANGUP after [\\d.]+ from \\[{HOST}\\]:\\d+',
      result: ddos,
    },
    {
      id: 'postscreen-limit',
      pattern: 'COMMAND (?:TIME|COUNT|LENGTH) LIMIT from \\[{HOST}\\]:\\d+',
      result: ddos,
    },
    {
      // anvil limits (smtpd_client_*_limit).
      id: 'rate-limit',
      pattern: `warning: (?:Connection (?:rate|concurrency)|Message delivery request rate|Recipient address rate|New TLS session rate|AUTH command rate) limit exceeded: \\d+ from ${CLIENT} for service `,
      result: ddos,
    },

    // aggressive only: a reverse DNS name that does not lead back is a misconfiguration
    // more often than an attack.
    {
      id: 'hostname-mismatch',
      pattern: 'warning: hostname \\S+ does not resolve to address {HOST}(?:: .*)?$',
      result: { aggressive: 'fail' },
    },
  ],
};
