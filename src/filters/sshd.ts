/**
 * OpenSSH 6 to 10 (sshd, sshd-session since 9.8, sshd-auth since 10.0).
 *
 * Modes mean what they mean in fail2ban's sshd filter:
 * - normal: authentication failures;
 * - ddos: connections that never try to authenticate (scanners, floods, banners);
 * - extra: clients that cannot agree on algorithms or methods;
 * - aggressive: all of the above.
 * Lines that only tell a connection's address ("Connection from …", LogLevel VERBOSE)
 * are kept as helpers, so failures logged without an address still count, and so
 * that a failure whose crafted user name makes it read with two addresses gets the
 * connection's own (see splits.ts), not the one in the name.
 */
import type { FilterSpec, RuleResult } from './spec.js';

const PORT = '(?: port \\d+)?';
const ON = '(?: on \\S+(?: port \\d+)?)?';
const PREAUTH = '(?: \\[preauth\\])?';
/** What OpenSSH appends after an address at the end of a line. */
const TAIL = `${PORT}${ON}${PREAUTH}$`;
/**
 * Authentication info after ": " (key fingerprints, hostbased client names), to the
 * end of the line. Any character, line separators too: a tail that could fail to
 * reach the end would be tried again at every earlier " from " (quadratic).
 */
const INFO = '(?:: [\\s\\S]*)?$';

/**
 * Connections that never authenticate: failures in ddos mode; elsewhere `nofail`, so
 * that they are still read (a scanner's address, summed per address: detect/probes.ts).
 */
const ddosOnly: Record<string, RuleResult> = {
  normal: 'nofail',
  ddos: 'fail',
  extra: 'nofail',
  aggressive: 'fail',
};
const extraOnly: Record<string, RuleResult> = { extra: 'fail', aggressive: 'fail' };

export const sshd: FilterSpec = {
  name: 'sshd',
  description: 'OpenSSH server: password, key and PAM failures, invalid users, scanners',
  programs: ['sshd', 'sshd-session', 'sshd-auth'],
  modes: ['normal', 'ddos', 'extra', 'aggressive'],
  defaultMode: 'normal',
  // "PAM: " alone: older auth-pam.c logged without the error level.
  messagePrefix: '(?:(?:error|fatal): )?(?:PAM: )?',
  connections: true,
  rules: [
    // Helpers: a connection starts, and its peer address is known from here on.
    {
      id: 'connection-from',
      pattern: `Connection from {HOST}(?: port \\d+(?: on \\S+ port \\d+)?(?: rdomain .*)?)?$`,
      result: 'nofail',
      begins: true,
    },
    {
      id: 'server-banner',
      pattern: 'SSH: Server;Ltype: (?:Authname|Version|Kex);Remote: {HOST}-\\d+;',
      result: 'nofail',
    },

    // Success. A different user than the ones that failed on this connection is still a failure.
    {
      id: 'accepted',
      pattern: `Accepted (?<method>[\\w/-]+) for (?<user>\\S+) from {HOST}${PORT}(?: ssh\\d*)?${INFO}`,
      result: 'success',
    },

    // Authentication failures. The user name is attacker-controlled, so every
    // pattern below either fixes everything after the address, or (failed: auth
    // info may follow ": ") lets the engine find every reading of the line.
    {
      id: 'failed-publickey',
      pattern: `Failed publickey for (?!invalid user )(?<user>\\S+) from {HOST}${PORT}(?: ssh\\d*)?${INFO}`,
      result: 'nofail',
      pending: true,
    },
    {
      // Only an invalid user's name is the client's free text (the lookbehind lets it
      // follow "invalid user " and nothing else). Any other name is an existing
      // account's, chosen by the admin, with no colon in it (passwd's separator;
      // OpenSSH also cuts "user:style" there): a fake tail in it could not end in
      // ": ", so its first reading is the one.
      id: 'failed',
      pattern: `Failed (?<method>[\\w/-]+) for (?:invalid user )?(?<user>(?<=invalid user ).*|[^:]+?) from {HOST}${PORT}${ON}(?: ssh\\d*)?${PREAUTH}${INFO}`,
      result: 'fail',
      clientTextAfterHost: true,
    },
    {
      id: 'pam-failure',
      pattern: `[aA]uthentication (?:failure|error|failed) for (?:illegal user |invalid user )?(?<user>.*) from {HOST}(?: via \\S+)?${TAIL}`,
      result: 'fail',
    },
    {
      id: 'pam-unknown-user',
      pattern: `(?:User not known to the underlying authentication module|unknown user) for (?:illegal user |invalid user )?(?<user>.*) from {HOST}${TAIL}`,
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
    },
    {
      id: 'user-not-allowed',
      // The reason differs across versions and patches, so it is any text. The name is an
      // existing account's and the reason sshd's: the last " from " is sshd's, and the
      // greedy name puts the host there. The reason takes any character, so that once the
      // words after the host are found the end is always reached (no quadratic retries).
      pattern: `User (?<user>.*) from {HOST} not allowed because [\\s\\S]+$`,
      result: 'fail',
    },
    {
      id: 'account-locked',
      pattern: `User (?<user>\\S+) not allowed because .+$`,
      result: 'fail',
    },
    {
      id: 'root-refused',
      pattern: `ROOT LOGIN REFUSED FROM {HOST}${TAIL}`,
      result: 'fail',
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
    // "Received disconnect" lines do not end a connection: OpenSSH 7.6+ follows them with
    // "Disconnected from … [preauth]", which must still see what the connection counted.
    {
      id: 'disconnect-auth-fail',
      pattern: `Received disconnect from {HOST}${PORT}:\\s*3: .*: Auth fail${PREAUTH}$`,
      result: 'fail',
    },
    {
      id: 'disconnect-by-client',
      pattern: `Received disconnect from {HOST}${PORT}:\\s*11:`,
      result: 'nofail',
    },

    // The end of a connection before authentication. In ddos mode every such end is a
    // failure; otherwise one that named a user and never failed before counts once
    // (givesUp): on a key-only server a refused login leaves nothing else.
    {
      id: 'disconnected-user-preauth',
      pattern: `Disconnected from (?:invalid|authenticating) user (?<user>.*) {HOST}${PORT} \\[preauth\\]$`,
      result: { normal: 'nofail', ddos: 'fail', extra: 'fail', aggressive: 'fail' },
      ends: true,
      givesUp: true,
    },
    {
      id: 'closed-preauth',
      pattern: `(?:Connection (?:closed|reset) by|Disconnected from)(?: (?:invalid|authenticating) user (?<user>.*))? {HOST}${PORT} \\[preauth\\]$`,
      result: { normal: 'nofail', ddos: 'fail', extra: 'nofail', aggressive: 'fail' },
      ends: true,
      givesUp: true,
    },
    {
      id: 'closed',
      pattern: `(?:Connection (?:closed|reset) by|Disconnected from)(?: (?:invalid|authenticating) user (?<user>.*))? {HOST}${PORT}$`,
      result: 'nofail',
      ends: true,
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
      // Quoted since OpenSSH 3, bare before; the last " from " is sshd's (TAIL fixes the end).
      pattern: `Bad protocol version identification .* from {HOST}${TAIL}`,
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
