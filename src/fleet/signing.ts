/**
 * The hub's signature on a ban decision. Only the hub holds the Ed25519
 * private key; every sensor holds the public key and verifies a decision
 * before it touches the firewall, so a decision written into the KV bucket by
 * anyone else (a stolen sensor credential, a misconfigured NATS permission) is
 * refused rather than applied.
 *
 * What is signed is the canonical JSON (keys sorted) of the schema-checked
 * decision, so the signature does not depend on how a JSON encoder orders keys.
 */
import { SecretError, readPrivateFile } from '../config/private-file.js';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';
import { decisionSchema, type Decision } from './protocol.js';

/** A decision and the hub's Ed25519 signature (base64) over its canonical JSON. */
export interface SignedDecision {
  decision: Decision;
  sig: string;
}

/** The envelope, before the decision inside is checked. */
const envelopeSchema = z.strictObject({
  decision: z.unknown(),
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64'),
});

export type VerifyResult =
  | { ok: true; decision: Decision }
  | { ok: false; reason: 'malformed' | 'schema' | 'signature'; detail: string };

/** Signs decisions (the hub). */
export interface DecisionSigner {
  sign(decision: Decision): SignedDecision;
}

/** Checks signed decisions (a sensor). */
export interface DecisionVerifier {
  verify(signed: unknown): VerifyResult;
}

/** JSON with object keys sorted at every level: the bytes a signature covers. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The hub's private key. It prints as "[DecisionSigningKey]", never as the key. */
export class DecisionSigningKey implements DecisionSigner {
  readonly #key: KeyObject;
  readonly publicKey: DecisionVerifyKey;

  constructor(
    key: KeyObject,
    readonly source: string,
  ) {
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
      throw new SecretError(
        `the decision signing key from ${source} is not an Ed25519 private key`,
      );
    }
    this.#key = key;
    this.publicKey = new DecisionVerifyKey(createPublicKey(key), source);
  }

  /** Signs `decision` after checking it against the schema (a bad decision is a bug: it throws). */
  sign(decision: Decision): SignedDecision {
    const checked = decisionSchema.parse(decision);
    const sig = sign(null, Buffer.from(canonicalJson(checked), 'utf8'), this.#key);
    return { decision: checked, sig: sig.toString('base64') };
  }

  toString(): string {
    return '[DecisionSigningKey]';
  }

  toJSON(): string {
    return '[DecisionSigningKey]';
  }

  [inspect.custom](): string {
    return `[DecisionSigningKey from ${this.source}]`;
  }
}

/** The hub's public key, which sensors hold. */
export class DecisionVerifyKey implements DecisionVerifier {
  readonly #key: KeyObject;

  constructor(
    key: KeyObject,
    readonly source: string,
  ) {
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') {
      throw new SecretError(`the hub public key from ${source} is not an Ed25519 public key`);
    }
    this.#key = key;
  }

  /** The key as SPKI PEM, for the sensors' configuration. */
  pem(): string {
    return this.#key.export({ type: 'spki', format: 'pem' }).toString();
  }

  /**
   * The decision inside `signed` (parsed JSON) when its schema passes and the
   * signature is this key's over its canonical JSON; otherwise why not.
   */
  verify(signed: unknown): VerifyResult {
    const envelope = envelopeSchema.safeParse(signed);
    if (!envelope.success) {
      return { ok: false, reason: 'malformed', detail: envelope.error.issues[0]?.message ?? '' };
    }
    const decision = decisionSchema.safeParse(envelope.data.decision);
    if (!decision.success) {
      const issue = decision.error.issues[0];
      return {
        ok: false,
        reason: 'schema',
        detail: issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`,
      };
    }
    const good = verify(
      null,
      Buffer.from(canonicalJson(decision.data), 'utf8'),
      this.#key,
      Buffer.from(envelope.data.sig, 'base64'),
    );
    return good
      ? { ok: true, decision: decision.data }
      : { ok: false, reason: 'signature', detail: 'not signed by the hub key' };
  }

  /** `verify` of a KV value's bytes (UTF-8 JSON). */
  verifyBytes(bytes: Uint8Array): VerifyResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed', detail: 'not JSON' };
    }
    return this.verify(parsed);
  }
}

/** The bytes the hub puts in the KV bucket for a signed decision. */
export function encodeSignedDecision(signed: SignedDecision): Uint8Array {
  return Buffer.from(JSON.stringify(signed), 'utf8');
}

/** A new key pair as PEM: the private key (PKCS#8) for the hub, the public key (SPKI) for sensors. */
export function generateDecisionKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The hub's signing key from its PEM file (mode 0600, like every secret file). */
export function loadDecisionSigningKey(file: string, uid?: number): DecisionSigningKey {
  const pem = readPrivateFile(file, uid, 'decision signing key file');
  if (pem === null) throw new SecretError(`no decision signing key file ${file}`);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The PEM is secret: the parser's message may quote it, so it is not passed on.
    throw new SecretError(`the decision signing key file ${file} holds no readable private key`);
  }
  return new DecisionSigningKey(key, file);
}

/** The hub's public key from PEM text, as a sensor's configuration gives it. */
export function parseDecisionVerifyKey(pem: string, source: string): DecisionVerifyKey {
  // node would derive a public key from a private one; a sensor must never be given the latter.
  if (/PRIVATE KEY/.test(pem)) {
    throw new SecretError(
      `${source} holds a private key: sensors get only the hub's public key (hub-public.pem)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new SecretError(`the hub public key from ${source} is not a PEM public key`, {
      cause: err,
    });
  }
  return new DecisionVerifyKey(key, source);
}

/** The hub's public key from its PEM file. */
export function loadDecisionVerifyKey(file: string): DecisionVerifyKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SecretError(`cannot read the hub public key file ${file}`, { cause: err });
  }
  return parseDecisionVerifyKey(pem, file);
}
