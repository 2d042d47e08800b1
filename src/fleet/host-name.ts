/**
 * A fleet host's name, apart from the message schemas (protocol.ts): the
 * configuration's check needs only this, and loading every message schema cost
 * each command that checks sheriff.yaml some 10 ms.
 */

/** Lower-case letters, digits and inner hyphens, like a DNS label: safe as a subject token and a file name. */
export const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isHostName(name: string): boolean {
  return HOST_NAME.test(name);
}
