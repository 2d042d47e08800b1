/**
 * Dovecot IMAP/POP3/ManageSieve/Submission: login failures of the
 * *-login processes, password database failures of auth and auth-worker, and PAM.
 *
 * Modes mean what they mean in fail2ban's dovecot filter:
 * - normal: failed or refused authentication;
 * - aggressive: also clients that connect and never try (no auth attempts, gave up
 *   during the TLS handshake or in the middle of SASL).
 *
 * Where the address comes from:
 * - login lines end in fields "user=<U>, method=M, rip=A, lip=…, TLS, session=<…>",
 *   where U is what the client sent. Only U is client text; everything after
 *   "rip=" is Dovecot's, so the user pattern is greedy and the address is the last
 *   "rip=" that follows it.
 * - password database lines open with a context "passdb(U,A[,<session>])" (2.4:
 *   "auth(U,A,sasl:mech)<session>"). U stops at the first comma and the fields
 *   after A are matched exactly, up to the end of the line, so a user name that
 *   carries a comma and an address cannot make the line match at all.
 */
import { PAM_FAILURE_RULES } from './pam-generic.js';
import type { FilterSpec, RuleResult } from './spec.js';

/**
 * Dovecot's words before the verdict: "Aborted login ", "Disconnected: Inactivity ",
 * "Login aborted: Connection closed: read(…) failed: … ". It stops before "user=<",
 * so the verdict is never looked for in the client's text.
 */
const REASON = '[A-Z](?:(?!user=<).)*? ';
/** 2.4 adds a machine-readable code: "(auth_failed)". */
const CODE = '(?: \\([a-z_]+\\))?';
/** The fields after the reason; U is greedy so that the last "rip=" is the address. */
const FIELDS = '(?:user=<(?<user>.*)>, )?(?:method=[\\w-]+, )?rip={HOST}(?:, |$)';
/** "Password mismatch (for LDAP bind) (SHA1 of given password: f638ff)". */
const GIVEN = '(?: \\((?:SHA1 of )?given password: [^)]*\\))?';
/** What a password database says about a wrong login. */
const PASSDB_FAILURE = [
  `unknown user${GIVEN}`,
  `Password mismatch(?: \\(for LDAP bind\\))?${GIVEN}`,
  'invalid credentials',
  'pam_authenticate\\(\\) failed: (?:Authentication failure(?: \\([Pp]assword mismatch\\?\\))?|User not known to the underlying authentication module|Permission denied)(?:: \\d+ Time\\(s\\))?',
].join('|');

const aggressiveOnly: Record<string, RuleResult> = { aggressive: 'fail' };

export const dovecot: FilterSpec = {
  name: 'dovecot',
  description: 'Dovecot IMAP/POP3: failed logins, password database and PAM failures',
  // syslog_ident "dovecot"; with log_path, the process names; "dovecot-auth" is 1.x.
  programs: [
    'dovecot',
    'dovecot-auth',
    'auth',
    'auth-worker',
    'imap-login',
    'pop3-login',
    'managesieve-login',
    'submission-login',
  ],
  modes: ['normal', 'aggressive'],
  defaultMode: 'normal',
  // Process and level prefixes that vary with the logging setup, not with the event:
  // "dovecot: ", "imap-login: ", "auth-worker(304): ", "Info: ", and 2.3's auth-worker
  // connection "conn unix:auth-worker (uid=143): auth-worker<13247>: ".
  messagePrefix:
    '(?:dovecot: )?(?:(?:[a-z0-9]+-login|auth|auth-worker)(?:\\(\\w+\\))?: )?(?:(?:Info|Warning|Error): )?(?:conn unix:auth-worker \\([\\w=,]+\\): auth-worker<\\d+>: )?',
  rules: [
    // A login that worked: not counted, but lets a jail see a login after failures.
    {
      id: 'login',
      pattern: `Login: user=<(?<user>.*)>, method=[\\w-]+, rip={HOST}(?:, |$)`,
      result: 'success',
    },

    // *-login processes (normal).
    {
      id: 'auth-failed',
      pattern: `${REASON}\\((?:auth failed, \\d+ attempts?(?: in \\d+ secs?)?|tried to use (?:disabled|disallowed) [\\w-]+ auth|proxy dest auth failed)\\)${CODE}: ${FIELDS}`,
      result: 'fail',
    },

    // Password databases (normal). 2.3: "sql(U,A,<session>): Password mismatch".
    {
      id: 'passdb',
      pattern: `[a-z][\\w-]*\\((?<user>[^,]*),{HOST}(?:,master)?(?:,(?:<[\\w+/=]*>)?)?\\): (?:${PASSDB_FAILURE})$`,
      result: 'fail',
    },
    {
      // 2.4: "auth(U,A,sasl:plain)<session>: sql: Password mismatch".
      id: 'passdb-context',
      pattern: `auth\\((?<user>[^,]*),{HOST}(?:,master)?(?:,sasl:[\\w-]+)?\\)(?:<[\\w+/=]*>)?: (?:(?:Info|Warning|Error): )?[a-z][\\w-]*: (?:${PASSDB_FAILURE})$`,
      result: 'fail',
    },

    // PAM through Dovecot's auth process (normal).
    ...PAM_FAILURE_RULES,

    // Clients that never try (aggressive).
    {
      id: 'no-auth-attempts',
      pattern: `${REASON}\\((?:no auth attempts(?: in \\d+ secs?)?|disconnected before auth was ready, waited \\d+ secs?|client didn't finish SASL auth, waited \\d+ secs?|disconnected during TLS handshake)\\)${CODE}: ${FIELDS}`,
      result: aggressiveOnly,
    },
  ],
};
