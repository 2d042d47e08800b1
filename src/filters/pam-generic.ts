/**
 * PAM "authentication failure" records (pam_unix and modules that copy its
 * format: pam_sss, pam_ldap, …), whatever program runs the PAM stack: FTP
 * servers, mail servers, sshd, login. One mode, `normal`, as in fail2ban.
 *
 * The record is `authentication failure; logname= uid= euid= tty= ruser=R rhost=H[  user=U]`.
 * R is the "requesting user" the application hands to PAM (empty for sshd; the
 * client's login name for vsftpd, pure-ftpd, dovecot), and pam_unix prints
 * `user=U` only for an existing account. Both R and U can carry text the client
 * chose, so the address is found by structure, never by the first "rhost=":
 * - R empty: the host follows `ruser= rhost=` at a fixed place; U may say anything.
 * - U without spaces (an account name): the host is the last `rhost=` before the
 *   final `user=U`, and R may say anything.
 * - no `user=`: the host is the last token of the line, and R must not hold a
 *   `user=` field of its own (else it could fake the layout above).
 * A line that fits none of these (R and a spaced U both present) is not counted.
 * One layout stays ambiguous in text: an application that copies a name starting
 * with a space into R ("ruser= rhost=A  user=B rhost=C"). It is read as R empty,
 * as fail2ban reads it, because that is what sshd and most programs log.
 */
import type { FilterSpec, RuleSpec } from './spec.js';

/** "pam_unix(vsftpd:auth): ", "pam_unix: ", "pam_sss(sshd:auth): " or the pre-1.0 "(pam_unix) ". */
const MODULE = '(?:pam_[\\w-]+(?:\\([\\w.:-]*\\))?:|\\(pam_[\\w-]+\\)) ';
/** The fields PAM fills in itself, before the client-influenced ones. */
const HEAD = 'authentication failure; logname=\\S* uid=\\d+ euid=\\d+ tty=\\S* ';
/** The remote user, up to (not into) a `user=` field: see the third layout above. */
const RUSER_ALONE = '(?<ruser>(?:(?!\\suser=).)+)';

/** The three layouts, shared with filters whose program logs through PAM (dovecot). */
export const PAM_FAILURE_RULES: readonly RuleSpec[] = [
  {
    id: 'pam-failure',
    pattern: `${MODULE}${HEAD}ruser= rhost={HOST}(?:\\s+user=(?<user>.*))?$`,
    result: 'fail',
  },
  {
    id: 'pam-failure-account',
    pattern: `${MODULE}${HEAD}ruser=(?<ruser>.*) rhost={HOST}\\s+user=(?<user>\\S+)$`,
    result: 'fail',
  },
  {
    id: 'pam-failure-ruser',
    pattern: `${MODULE}${HEAD}ruser=${RUSER_ALONE} rhost={HOST}$`,
    result: 'fail',
  },
];

export const pamGeneric: FilterSpec = {
  name: 'pam-generic',
  description: 'PAM authentication failures with a remote host, from any program',
  // Any program can run a PAM stack; the rules only accept the PAM module's own record.
  programs: null,
  modes: ['normal'],
  defaultMode: 'normal',
  rules: PAM_FAILURE_RULES,
};
