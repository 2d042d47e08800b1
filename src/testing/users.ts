/** Running a child process without root's rights, whoever runs the tests. */

/** `nobody` on Debian: a user with no rights of its own. */
const NOBODY = 65534;

/**
 * Spawn options for a child that must not have root's rights: `nobody` when the tests run as
 * root; as any other user, that user, who has none of root's rights already. So a test of what
 * an unprivileged reader meets runs in the unit tier, as root or not.
 */
export const unprivileged: { uid?: number; gid?: number } =
  process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
