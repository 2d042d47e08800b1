/**
 * What a console password hash looks like (password.ts makes and checks them),
 * apart from node:crypto: the configuration's check needs only this, and loading
 * node:crypto cost every command that checks sheriff.yaml a few ms.
 */

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export const PASSWORD_HASH =
  /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

export function isPasswordHash(text: string): boolean {
  const m = PASSWORD_HASH.exec(text);
  if (m === null) return false;
  const n = Number(m[1]);
  // A power of two between 2^10 and 2^20: weaker is not a hash to accept, stronger stalls logins.
  return (
    n >= 1024 && n <= 1 << 20 && (n & (n - 1)) === 0 && Number(m[2]) <= 32 && Number(m[3]) <= 16
  );
}
