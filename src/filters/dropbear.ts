/**
 * Dropbear SSH server. One mode, `normal`, as in fail2ban:
 * bad passwords, unknown users, and the exit after too many tries; and, as for sshd,
 * a client that named an account and left before authenticating counts once (with
 * password logins off, dropbear logs failed tries only in that exit line).
 *
 * Dropbear logs the client as "address:port" (IPv6 without brackets) at the end
 * of a line, after the quoted user name, so every rule that follows a user name
 * anchors the address at the end. Newer versions name the client first in the exit
 * line, as "<address:port>", which is a fixed place. Run with -E under systemd, dropbear
 * repeats its pid and time at the start of the message; that is stripped.
 */
import type { FilterSpec } from './spec.js';

/** The client at the end of a line: the last ":digits" is the port. */
const FROM_END = ' from {HOST}:\\d+$';
/** A user name in quotes: dropbear prints it raw, so it can hold anything, quotes included. */
const USER = "'(?<user>.*)'";
/** "user 'is invalid'" is dropbear's word for "no such account", not a name. */
const USER_OR_NONE = `(?:'is invalid'|${USER})`;
/**
 * The exit lines name the user twice, each time free text. Without a look at the
 * line's end first, a line that does not end as the pattern wants would be tried
 * at every pair of quotes (quadratic); these lookaheads make the end decide at once.
 */
const ENDS_QUOTED = "(?=.*'$)";
const ENDS_FROM = '(?=.* from [\\w.:%-]+:\\d+$)';

export const dropbear: FilterSpec = {
  name: 'dropbear',
  description: 'Dropbear SSH server: bad passwords, unknown users, too many tries, refused logins',
  programs: ['dropbear'],
  modes: ['normal'],
  defaultMode: 'normal',
  // "[825] Jul 10 23:53:52 " when its stderr goes to the journal.
  messagePrefix: '\\[\\d+\\] [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ',
  // Each client has its own dropbear process: its pid keys the connection.
  connections: true,
  rules: [
    // Helper: the client's address, for the older exit line that does not name it.
    {
      id: 'child-connection',
      pattern: 'Child connection from {HOST}:\\d+$',
      result: 'nofail',
      begins: true,
    },

    // Success: not counted, but lets a jail see a login after failures.
    {
      id: 'password-accepted',
      pattern: `[Pp]assword auth succeeded for ${USER}${FROM_END}`,
      result: 'success',
    },
    {
      id: 'pubkey-accepted',
      // The key ("ssh-ed25519 key SHA256:…") holds no quote: the user name ends at the last "' with ".
      pattern: `Pubkey auth succeeded for ${USER} with [^']*${FROM_END}`,
      result: 'success',
    },

    // Failures. The account name comes from the password database, but older
    // versions printed what the client sent, so the address is taken from the end.
    {
      id: 'bad-password',
      pattern: `[Bb]ad password attempt for ${USER}${FROM_END}`,
      result: 'fail',
    },
    {
      id: 'nonexistent-user',
      pattern: `[Ll]ogin attempt for nonexistent user${FROM_END}`,
      result: 'fail',
    },
    {
      // Dropbear running as a non-root user, asked for another account.
      id: 'wrong-user',
      pattern: `Login attempt with wrong user (?<user>.*)${FROM_END}`,
      result: 'fail',
    },

    // The session ends after MaxAuthTries failures.
    {
      // Newer: "Exit before auth from <addr:port>: [(user 'x', N fails): ]Max auth tries reached - user 'x'".
      id: 'max-tries',
      pattern: `Exit before auth from <{HOST}:\\d+>: ${ENDS_QUOTED}(?:\\(user '.*', \\d+ fails\\): )?Max auth tries reached - user ${USER_OR_NONE}$`,
      result: 'fail',
    },
    {
      // Older, the address last: "Exit before auth (user 'x', N fails): Max auth tries reached - user 'x' from addr:port".
      id: 'max-tries-legacy',
      pattern: `Exit before auth ${ENDS_FROM}\\(user '.*', \\d+ fails\\): Max auth tries reached - user ${USER_OR_NONE}${FROM_END}`,
      result: 'fail',
    },

    // Any other end before authentication ("Exited normally", a timeout, a reset). The
    // "(user 'x', N fails)" part appears once a client named an existing account.
    {
      id: 'exit-before-auth',
      pattern: `Exit before auth from <{HOST}:\\d+>: (?:\\(user ${USER}, \\d+ fails\\): )?[\\s\\S]*$`,
      result: 'nofail',
      ends: true,
      givesUp: true,
    },
    {
      // Older, no address: it comes from the connection's "Child connection from" line.
      id: 'exit-before-auth-legacy',
      pattern: `Exit before auth \\(user ${USER}, \\d+ fails\\): [\\s\\S]*$`,
      result: 'nofail',
      ends: true,
      givesUp: true,
    },
  ],
};
