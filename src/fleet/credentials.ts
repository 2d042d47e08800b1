/**
 * The fleet's credentials on the hub's disk: one nkey user per host and one
 * for the hub, and `fleet.json`, the list `sheriff fleet` keeps of who is in
 * the fleet (names and public keys only; seeds live in their own 0600 files).
 * The NATS accounts file is always rewritten from this list, never edited.
 */
import { SetupError } from '../config/errors.js';
import { createUser } from '@nats-io/nkeys';
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { HOST_NAME } from './host-name.js';

const NKEY_USER = /^U[A-Z2-7]{55}$/;

export const fleetStateSchema = z.strictObject({
  v: z.literal(1),
  /** The URLs sensors and the hub connect to. */
  servers: z.array(z.string().min(1)).min(1),
  tls: z.boolean(),
  hub: z.strictObject({ nkey: z.string().regex(NKEY_USER) }),
  hosts: z.array(
    z.strictObject({ name: z.string().regex(HOST_NAME), nkey: z.string().regex(NKEY_USER) }),
  ),
  /** A cluster's NATS nodes, each with its own directory and accounts file; absent for one server. */
  nodes: z.array(z.string().regex(/^nats-[1-9]\d*$/)).optional(),
});
export type FleetState = z.infer<typeof fleetStateSchema>;

/** A new nkey user: the seed (secret, `SU…`) and its public key (`U…`). */
export function newNkeyUser(): { seed: string; nkey: string } {
  const kp = createUser();
  return { seed: new TextDecoder().decode(kp.getSeed()), nkey: kp.getPublicKey() };
}

/** Writes a secret file with mode 0600; never over an existing file. */
export function writePrivateFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
}

/** Replaces `file` whole (a temporary file, then a rename), so a reader never sees half of it. */
export function replaceFile(file: string, text: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode, flag: 'wx' });
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** `fleet.json`, checked; the error names the file and the field. */
export function readFleetState(file: string): FleetState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SetupError(
      `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const r = fleetStateSchema.safeParse(parsed);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SetupError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

export function writeFleetState(file: string, state: FleetState): void {
  replaceFile(file, JSON.stringify(fleetStateSchema.parse(state), null, 2) + '\n');
}
