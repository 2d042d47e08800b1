/**
 * Log lines of OpenSSH and dropbear, generated from the printf formats their sources
 * use across versions (OpenSSH 3 to 10: auth.c, auth2.c, auth-pam.c, sshd.c,
 * packet.c; dropbear 2013 to 2024: svr-auth.c, svr-authpasswd.c, svr-session.c,
 * svr-main.c), each with what an admin expects of it. Written from the programs'
 * formats, not from Sheriff's filters, so a test of a filter against these lines
 * checks the filter against the programs.
 */
import fc from 'fast-check';
import { peerArb, type Peer } from './hostile-names.js';

/** What a line must count as in the mode given (a failure, a recognised line, or nothing). */
export type Expected = 'fail' | 'nofail' | 'success' | 'none';

/** The values a format's conversions take, by name. */
export interface FormValues {
  peer: Peer;
  port: number;
  /** An account name of the shape useradd accepts. */
  user: string;
  /** "ssh2: RSA SHA256:…" style info after "ssh2", or nothing. */
  info: string;
}

export interface LogForm {
  /** Where the format comes from, to read in a failure message. */
  origin: string;
  program: 'sshd' | 'sshd-session' | 'sshd-auth' | 'dropbear';
  format: string;
  /** The value each conversion of `format` takes, in order; other strings are literal arguments. */
  args: readonly (keyof FormValues | 'addrport' | 'bracketed' | { literal: string })[];
  /** The filter's mode (its default when absent). */
  mode?: string;
  expect: Expected;
  /** Whether the event names the generated user. */
  user?: boolean;
  /** A line of the same connection logged before, whose own result is not checked. */
  before?: LogForm;
}

const lit = (literal: string) => ({ literal });

const VERBOSE_CONNECTION: LogForm = {
  origin: 'sshd.c (LogLevel VERBOSE)',
  program: 'sshd',
  format: 'Connection from %s port %d on 192.0.2.254 port 22',
  args: ['peer', 'port'],
  expect: 'nofail',
};

/** OpenSSH formats, and what each means on a server at Sheriff's default (normal) mode. */
export const OPENSSH_FORMS: readonly LogForm[] = [
  ...['password', 'keyboard-interactive/pam', 'none', 'hostbased', 'gssapi-with-mic'].flatMap(
    (method): LogForm[] => [
      {
        origin: 'auth.c auth_log',
        program: 'sshd',
        format: `Failed ${method} for %.100s from %.200s port %d ssh2%s`,
        args: ['user', 'peer', 'port', 'info'],
        expect: 'fail',
        user: true,
      },
      {
        origin: 'auth.c auth_log, invalid user',
        program: 'sshd-session',
        format: `Failed ${method} for invalid user %.100s from %.200s port %d ssh2%s`,
        args: ['user', 'peer', 'port', 'info'],
        expect: 'fail',
        user: true,
      },
      {
        origin: 'auth.c auth_log, logged from the unprivileged child',
        program: 'sshd',
        format: `Failed ${method} for invalid user %.100s from %.200s port %d ssh2 [preauth]`,
        args: ['user', 'peer', 'port'],
        expect: 'fail',
        user: true,
      },
    ],
  ),
  {
    origin: 'auth.c auth_log, OpenSSH < 7.0 (no ssh2 when protocol 1)',
    program: 'sshd',
    format: 'Failed password for %.100s from %.200s port %d',
    args: ['user', 'peer', 'port'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth2.c input_userauth_request',
    program: 'sshd',
    format: 'Invalid user %.100s from %s port %d',
    args: ['user', 'peer', 'port'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth.c, OpenSSH < 7.2',
    program: 'sshd',
    format: 'Invalid user %.100s from %s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth.c, OpenSSH 3',
    program: 'sshd',
    format: 'Illegal user %.100s from %s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  ...[
    'not listed in AllowUsers',
    'listed in DenyUsers',
    'not in any group',
    'a group is listed in DenyGroups',
    "none of user's groups are listed in AllowGroups",
    // Patched builds and future versions add reasons: any reason is a refusal.
    'not listed in AllowUsers for this service',
  ].map((reason): LogForm => ({
    origin: 'auth.c allowed_user',
    program: 'sshd',
    format: 'User %.100s from %.100s not allowed because %s',
    args: ['user', 'peer', lit(reason)],
    expect: 'fail',
    user: true,
  })),
  ...[
    'account is locked',
    'shell /bin/false does not exist',
    'shell /usr/sbin/nologin is not executable',
    // /etc/nologin: every login but root's is refused, so a refused one counts like any other.
    '/etc/nologin exists',
  ].map((reason): LogForm => ({
    origin: 'auth.c allowed_user (names no address: the connection gives it)',
    program: 'sshd',
    format: 'User %.100s not allowed because %s',
    args: ['user', lit(reason)],
    expect: 'fail',
    user: true,
    before: VERBOSE_CONNECTION,
  })),
  {
    origin: 'auth-pam.c',
    program: 'sshd',
    format: 'error: PAM: Authentication failure for %.100s from %.100s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth-pam.c, OpenSSH 3',
    program: 'sshd',
    format: 'error: PAM: Authentication failure for illegal user %.100s from %.100s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth-pam.c',
    program: 'sshd',
    format:
      'error: PAM: User not known to the underlying authentication module for illegal user %.100s from %.100s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth-pam.c, old form',
    program: 'sshd',
    format: 'PAM: unknown user for illegal user %.100s from %.100s',
    args: ['user', 'peer'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'auth.c auth_root_allowed',
    program: 'sshd',
    format: 'ROOT LOGIN REFUSED FROM %.200s port %d',
    args: ['peer', 'port'],
    expect: 'fail',
  },
  {
    origin: 'auth2.c, MaxAuthTries',
    program: 'sshd',
    format:
      'error: maximum authentication attempts exceeded for invalid user %.100s from %.200s port %d ssh2 [preauth]',
    args: ['user', 'peer', 'port'],
    expect: 'fail',
    user: true,
  },
  // A key-only server: the client named a user and left without logging in.
  ...['Connection closed by', 'Connection reset by', 'Disconnected from'].flatMap(
    (how): LogForm[] =>
      ['authenticating', 'invalid'].map((kind): LogForm => ({
        origin: 'packet.c sshpkt_fmt_connection_id, OpenSSH 7.6+',
        program: 'sshd-session',
        format: `${how} ${kind} user %s %s port %d [preauth]`,
        args: ['user', 'peer', 'port'],
        expect: 'fail',
        user: true,
      })),
  ),
  {
    origin: 'packet.c: a client that named no user (a scanner)',
    program: 'sshd',
    format: 'Connection closed by %s port %d [preauth]',
    args: ['peer', 'port'],
    expect: 'nofail',
  },
  {
    origin: 'packet.c: a client that closed before naming a user',
    program: 'sshd',
    format: 'Received disconnect from %s port %d:11: Bye Bye [preauth]',
    args: ['peer', 'port'],
    expect: 'nofail',
  },
  {
    origin: 'sshd-auth (OpenSSH 10): a key-only login refused',
    program: 'sshd-auth',
    format: 'Connection closed by authenticating user %s %s port %d [preauth]',
    args: ['user', 'peer', 'port'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'sshd.c LoginGraceTime (counted in ddos mode)',
    program: 'sshd',
    format: 'fatal: Timeout before authentication for %s port %d',
    args: ['peer', 'port'],
    mode: 'ddos',
    expect: 'fail',
  },
  {
    origin: 'sshd.c: a scanner (counted in ddos mode)',
    program: 'sshd',
    format: 'Did not receive identification string from %s port %d',
    args: ['peer', 'port'],
    mode: 'aggressive',
    expect: 'fail',
  },
  {
    origin: 'sshd.c, quoted banner',
    program: 'sshd',
    format: "Bad protocol version identification '%.100s' from %s port %d",
    args: [lit('GET / HTTP/1.1'), 'peer', 'port'],
    mode: 'aggressive',
    expect: 'fail',
  },
  {
    origin: 'sshd.c, old unquoted banner',
    program: 'sshd',
    format: 'Bad protocol version identification %.100s from %s',
    args: [lit('SSH-1.0-scanner'), 'peer'],
    mode: 'aggressive',
    expect: 'fail',
  },
  {
    origin: 'auth.c auth_log, success',
    program: 'sshd',
    format: 'Accepted publickey for %.100s from %.200s port %d ssh2%s',
    args: ['user', 'peer', 'port', 'info'],
    expect: 'success',
  },
];

/** Dropbear formats; the client is "address:port", IPv6 unbracketed. */
export const DROPBEAR_FORMS: readonly LogForm[] = [
  {
    origin: 'svr-authpasswd.c',
    program: 'dropbear',
    format: "Bad password attempt for '%s' from %s",
    args: ['user', 'addrport'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'svr-auth.c',
    program: 'dropbear',
    format: 'Login attempt for nonexistent user from %s',
    args: ['addrport'],
    expect: 'fail',
  },
  {
    origin: 'svr-auth.c, older',
    program: 'dropbear',
    format: 'login attempt for nonexistent user from %s',
    args: ['addrport'],
    expect: 'fail',
  },
  {
    origin: 'svr-session.c, 2020+',
    program: 'dropbear',
    format: "Exit before auth from <%s>: (user '%s', %d fails): Max auth tries reached - user '%s'",
    args: ['bracketed', 'user', lit('10'), 'user'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'svr-session.c, 2020+: a key-only login refused',
    program: 'dropbear',
    format: "Exit before auth from <%s>: (user '%s', %d fails): Exited normally",
    args: ['bracketed', 'user', lit('2')],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'svr-session.c, 2020+: no account named',
    program: 'dropbear',
    format: 'Exit before auth from <%s>: Exited normally',
    args: ['bracketed'],
    expect: 'nofail',
  },
  {
    origin: 'svr-session.c, before 2020',
    program: 'dropbear',
    format: "Exit before auth (user '%s', %d fails): Max auth tries reached - user '%s' from %s",
    args: ['user', lit('10'), 'user', 'addrport'],
    expect: 'fail',
    user: true,
  },
  {
    origin: 'svr-session.c, before 2020: a key-only login refused (address from svr-main.c)',
    program: 'dropbear',
    format: "Exit before auth (user '%s', %d fails): Error reading: Connection reset by peer",
    args: ['user', lit('1')],
    expect: 'fail',
    user: true,
    before: {
      origin: 'svr-main.c',
      program: 'dropbear',
      format: 'Child connection from %s',
      args: ['addrport'],
      expect: 'nofail',
    },
  },
  {
    origin: 'svr-authpasswd.c, success',
    program: 'dropbear',
    format: "Password auth succeeded for '%s' from %s",
    args: ['user', 'addrport'],
    expect: 'success',
  },
];

/** printf's %s, %.Ns (cut to N), %d and %u, as the programs apply them. */
function printf(format: string, args: readonly string[]): string {
  let i = 0;
  return format.replace(/%(?:\.(\d+))?([sdu])/g, (_m, width: string | undefined) => {
    const value = args[i++] ?? '';
    return width === undefined ? value : value.slice(0, Number(width));
  });
}

/** A form's line (without the syslog prefix) for the given values. */
export function render(form: LogForm, v: FormValues): string {
  const addr = v.peer.logged;
  return printf(
    form.format,
    form.args.map((a) => {
      if (typeof a === 'object') return a.literal;
      if (a === 'addrport' || a === 'bracketed') return `${addr}:${v.port}`;
      if (a === 'peer') return addr;
      return String(v[a]);
    }),
  );
}

export const valuesArb: fc.Arbitrary<FormValues> = fc.record({
  peer: peerArb,
  port: fc.integer({ min: 1024, max: 65535 }),
  user: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/),
  info: fc.constantFrom('', ': RSA SHA256:mH4Zx1q3s0W8m3r1bnxQkq2fE5mQy0s1f8Xc9kD3Y3c'),
});
