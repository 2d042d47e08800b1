/**
 * OpenSSH 6 to 10 (sshd, sshd-session since 9.8, sshd-auth since 10.0).
 *
 * Modes mean what they mean in fail2ban's sshd filter:
 * - normal: authentication failures;
 * - ddos: connections that never try to authenticate (scanners, floods, banners);
 * - extra: clients that cannot agree on algorithms or methods;
 * - aggressive: all of the above.
 * Lines that only tell a connection's address ("Connection from …", LogLevel VERBOSE)
 * are kept as helpers, so failures logged without an address still count.
 */
import type { FilterSpec, RuleResult } from './spec.js';

const PORT = '(?: port \\d+)?';
const ON = '(?: on \\S+(?: port \\d+)?)?';
const PREAUTH = '(?: \\[preauth\\])?';
/** What OpenSSH appends after an address at the end of a line. */
const TAIL = `${PORT}${ON}${PREAUTH}$`;

const ddosOnly: Record<string, RuleResult> = { ddos: 'fail', aggressive: 'fail' };
const extraOnly: Record<string, RuleResult> = { extra: 'fail', aggressive: 'fail' };

export const sshd: FilterSpec = {
  name: 'sshd',
  description: 'OpenSSH server: password, key and PAM failures, invalid users, scanners',
  programs: ['sshd', 'sshd-session', 'sshd-auth'],
  modes: ['normal', 'ddos', 'extra', 'aggressive'],
  defaultMode: 'normal',
  messagePrefix: '(?:error|fatal): (?:PAM: )?',
  connections: true,
  rules: [
    // Helpers: a connection starts, and its peer address is known from here on.
    {
      id: 'connection-from',
      pattern: `Connection from {HOST}(?: port \\d+(?: on \\S+ port \\d+)?(?: rdomain .*)?)?$`,
      result: 'nofail',
      begins: true,
      peer: true,
    },
    {
      id: 'server-banner',
      pattern: 'SSH: Server;Ltype: (?:Authname|Version|Kex);Remote: {HOST}-\\d+;',
      result: 'nofail',
      peer: true,
    },

    // Success. A different user than the ones that failed on this connection is still a failure.
    {
      id: 'accepted',
      pattern: `Accepted (?<method>[\\w/-]+) for (?<user>\\S+) from {HOST}${PORT}(?: ssh\\d*)?(?:: .*)?$`,
      result: 'success',
      preferPeer: true,
    },

    // Authentication failures. The user name is attacker-controlled, so every
    // pattern below either ends at the address or takes the first address that
    // a real sshd line can be followed by (": " auth info or the end).
    {
      id: 'failed-publickey',
      pattern: `Failed publickey for (?!invalid user )(?<user>\\S+) from {HOST}${PORT}(?: ssh\\d*)?(?:: .*)?$`,
      result: 'nofail',
      pending: true,
      preferPeer: true,
    },
    {
      id: 'failed',
      // Auth info after ": " runs to the end, line separators too: a tail that could fail
      // would be tried again at every earlier " from " (quadratic).
      pattern: `Failed (?<method>[\\w/-]+) for (?:invalid user )?(?<user>.*?) from {HOST}${PORT}${ON}(?: ssh\\d*)?(?:: [\\s\\S]*)?$`,
      result: 'fail',
      preferPeer: true,
    },
    {
      id: 'pam-failure',
      pattern: `[aA]uthentication (?:failure|error|failed) for (?:illegal user |invalid user )?(?<user>.*) from {HOST}(?: via \\S+)?${TAIL}`,
      result: 'fail',
    },
    {
      id: 'pam-unknown-user',
      pattern: `User not known to the underlying authentication module for (?:illegal user |invalid user )?(?<user>.*) from {HOST}${TAIL}`,
      result: 'fail',
    },
    {
      id: 'pam-unix',
      pattern: `pam_\\w+\\(sshd:auth\\):\\s+authentication failure;(?:\\s+(?:logname|e?uid|tty)=\\S*)*\\s+ruser=(?<ruser>\\S*)\\s+rhost={HOST}(?:\\s+user=(?<user>\\S*))?${PREAUTH}$`,
      result: 'nofail',
      pending: true,
      distinctUsers: true,
    },
    {
      id: 'invalid-user',
      pattern: `(?:[iI]nvalid|[iI]llegal) user (?<user>.*) from {HOST}${TAIL}`,
      result: 'fail',
      peer: true,
    },
    {
      id: 'user-not-allowed',
      pattern: `User (?<user>.*) from {HOST} not allowed because (?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups)${PREAUTH}$`,
      result: 'fail',
      peer: true,
    },
    {
      id: 'account-locked',
      pattern: `User (?<user>\\S+) not allowed because (?:account is locked|shell \\S+ (?:does not exist|is not executable))`,
      result: 'fail',
    },
    {
      id: 'root-refused',
      pattern: `ROOT LOGIN REFUSED FROM {HOST}${TAIL}`,
      result: 'fail',
      peer: true,
    },
    {
      id: 'refused-connect',
      pattern: 'refused connect from \\S+ \\({HOST}\\)$',
      result: 'fail',
    },
    {
      id: 'max-attempts',
      pattern: `maximum authentication attempts exceeded for (?:invalid user )?(?<user>.*) from {HOST}${PORT}(?: ssh\\d*)?${PREAUTH}$`,
      result: 'fail',
    },
    {
      id: 'too-many-failures',
      pattern: `Disconnecting: Too many authentication failures(?: for (?:invalid user )?(?<user>\\S+))?${PREAUTH}$`,
      result: 'fail',
    },
    {
      id: 'change-of-user',
      pattern: `Disconnecting (?:invalid|authenticating) user (?<user>\\S+) {HOST}${PORT}: Change of username or service not allowed: .*\\[preauth\\]$`,
      result: 'fail',
      ends: true,
    },
    {
      id: 'disconnect-too-many',
      pattern: `Disconnecting (?:invalid|authenticating) user (?<user>.*) {HOST}${PORT}: Too many authentication failures${PREAUTH}$`,
      result: 'nofail',
      ends: true,
    },
    {
      id: 'disconnect-auth-fail',
      pattern: `Received disconnect from {HOST}${PORT}:\\s*3: .*: Auth fail${PREAUTH}$`,
      result: 'fail',
      ends: true,
    },
    {
      id: 'disconnect-by-client',
      pattern: `Received disconnect from {HOST}${PORT}:\\s*11:`,
      result: 'nofail',
      ends: true,
      peer: true,
    },

    // The end of a connection before authentication: a failure only in ddos mode.
    {
      id: 'disconnected-user-preauth',
      pattern: `Disconnected from (?:invalid|authenticating) user (?<user>.*) {HOST}${PORT} \\[preauth\\]$`,
      result: { normal: 'nofail', ddos: 'fail', extra: 'fail', aggressive: 'fail' },
      ends: true,
      peer: true,
    },
    {
      id: 'closed-preauth',
      pattern: `(?:Connection (?:closed|reset) by|Disconnected from)(?: (?:invalid|authenticating) user (?<user>.*))? {HOST}${PORT} \\[preauth\\]$`,
      result: { normal: 'nofail', ddos: 'fail', extra: 'nofail', aggressive: 'fail' },
      ends: true,
      peer: true,
    },
    {
      id: 'closed',
      pattern: `(?:Connection (?:closed|reset) by|Disconnected from)(?: (?:invalid|authenticating) user (?<user>.*))? {HOST}${PORT}$`,
      result: 'nofail',
      ends: true,
      peer: true,
    },

    // ddos: connections that never authenticate.
    {
      id: 'no-identification',
      pattern: `Did not receive identification string from {HOST}${TAIL}`,
      result: ddosOnly,
    },
    {
      id: 'timeout-preauth',
      pattern:
        'Timeout before authentication for (?:connection from )?{HOST}(?: port \\d+| to |,|$)',
      result: ddosOnly,
    },
    {
      id: 'bad-protocol',
      pattern: `Bad protocol version identification '.*' from {HOST}${TAIL}`,
      result: ddosOnly,
    },
    {
      id: 'kex-identification',
      pattern:
        'kex_exchange_identification: (?:read: )?(?:[Cc]lient sent invalid protocol identifier|[Cc]onnection (?:closed by remote host|reset by peer))',
      result: ddosOnly,
    },
    {
      id: 'socket-reset',
      pattern: 'Read from socket failed: Connection reset by peer',
      result: ddosOnly,
      ends: true,
    },
    {
      id: 'banner-garbage',
      pattern: `(?:banner exchange|ssh_dispatch_run_fatal): Connection from {HOST}${PORT}: (?:invalid format|(?:message authentication code incorrect|[Cc]onnection corrupted) \\[preauth\\])`,
      result: ddosOnly,
    },
    {
      // OpenSSH 9.8+ listener (PerSourcePenalties): the address was penalised.
      id: 'penalty',
      pattern: 'drop connection #\\d+ from \\[{HOST}\\]:\\d+ on \\[\\S+\\]:\\d+ penalty: ',
      result: ddosOnly,
    },

    // extra: clients that cannot agree on algorithms or authentication methods.
    {
      id: 'no-auth-methods',
      pattern: `Received disconnect from {HOST}${PORT}:\\s*14: No(?: supported)? authentication methods available`,
      result: extraOnly,
      ends: true,
    },
    {
      id: 'no-matching-algorithm',
      pattern: `Unable to negotiate with {HOST}${PORT}: no matching (?:\\S+ ){1,4}found\\.`,
      result: extraOnly,
    },
    {
      id: 'no-matching-algorithm-hostless',
      pattern: '(?:Unable to negotiate a \\w+|no matching (?:\\S+ ){1,4}found:)',
      result: extraOnly,
    },
  ],
};
