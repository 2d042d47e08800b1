import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import type { Decision } from './protocol.js';
import {
  DecisionSigningKey,
  canonicalJson,
  encodeSignedDecision,
  generateDecisionKeyPair,
  loadDecisionSigningKey,
  loadDecisionVerifyKey,
  parseDecisionVerifyKey,
} from './signing.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-signing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function newKey(): DecisionSigningKey {
  return new DecisionSigningKey(createPrivateKey(generateDecisionKeyPair().privatePem), 'test');
}

const decision: Decision = {
  v: 1,
  id: 'd-0000000001',
  action: 'ban',
  cidr: '203.0.113.7/32',
  scope: { kind: 'group', group: 'web' },
  expiresAt: 1_800_000_000_000,
  reason: 'approved: sshd brute force',
  approvalId: 'a1',
  issuedAt: 1_790_000_000_000,
};

describe('decision signing', () => {
  const hub = newKey();

  it('a signed decision verifies with the hub public key, through its KV bytes too', () => {
    const signed = hub.sign(decision);
    assert.deepEqual(hub.publicKey.verify(signed), { ok: true, decision });
    const sensor = parseDecisionVerifyKey(hub.publicKey.pem(), 'config');
    assert.deepEqual(sensor.verifyBytes(encodeSignedDecision(signed)), { ok: true, decision });
  });

  it('does not depend on key order: the canonical JSON is signed', () => {
    const signed = hub.sign(decision);
    const reordered = Object.fromEntries(Object.entries(signed.decision).reverse());
    assert.equal(hub.publicKey.verify({ sig: signed.sig, decision: reordered }).ok, true);
    assert.equal(
      canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } }),
      '{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}',
    );
  });

  const changes: [string, Partial<Decision>][] = [
    ['cidr', { cidr: '0.0.0.0/0' }],
    ['action', { action: 'unban' }],
    ['scope', { scope: { kind: 'fleet' } }],
    ['expiry', { expiresAt: null }],
    ['id', { id: 'd-0000000002' }],
  ];
  for (const [what, change] of changes) {
    it(`refuses a decision whose ${what} changed after signing`, () => {
      const signed = hub.sign(decision);
      const result = hub.publicKey.verify({
        ...signed,
        decision: { ...signed.decision, ...change },
      });
      assert.deepEqual(result, {
        ok: false,
        reason: 'signature',
        detail: 'not signed by the hub key',
      });
    });
  }

  it('refuses a decision signed by another key (a forger who writes the bucket)', () => {
    const forged = newKey().sign(decision);
    assert.equal(hub.publicKey.verify(forged).ok, false);
  });

  it('refuses a wrong schema, an extra field, a malformed envelope or bytes', () => {
    const signed = hub.sign(decision);
    const extra = hub.publicKey.verify({ ...signed, decision: { ...decision, extra: 1 } });
    assert.equal(extra.ok ? '' : extra.reason, 'schema');
    const bad = hub.publicKey.verify({ ...signed, decision: { ...decision, v: 2 } });
    assert.equal(bad.ok ? '' : bad.reason, 'schema');
    for (const envelope of [
      null,
      'x',
      { decision },
      { ...signed, sig: 'AAAA' },
      { ...signed, by: 'hub' },
    ]) {
      const r = hub.publicKey.verify(envelope);
      assert.equal(r.ok ? '' : r.reason, 'malformed', inspect(envelope));
    }
    const r = hub.publicKey.verifyBytes(Buffer.from('{not json'));
    assert.equal(r.ok ? '' : r.reason, 'malformed');
    assert.throws(() => hub.sign({ ...decision, cidr: '' }));
  });

  it('never shows the private key: not in String(), JSON or inspect', () => {
    const pem = generateDecisionKeyPair().privatePem;
    const key = new DecisionSigningKey(createPrivateKey(pem), 'hub.pem');
    const body = pem.split('\n')[1]!;
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), inspect({ key })]) {
      assert.ok(!shown.includes(body), shown);
      assert.match(shown, /DecisionSigningKey/);
    }
  });

  it('loads the key files: the private one only at mode 0600, the public one never private', () => {
    const { privatePem, publicPem } = generateDecisionKeyPair();
    const priv = join(dir, 'hub-signing.pem');
    const pub = join(dir, 'hub-public.pem');
    writeFileSync(priv, privatePem, { mode: 0o600 });
    writeFileSync(pub, publicPem);
    const key = loadDecisionSigningKey(priv);
    const signed = key.sign(decision);
    assert.equal(loadDecisionVerifyKey(pub).verify(signed).ok, true);
    chmodSync(priv, 0o644);
    assert.throws(() => loadDecisionSigningKey(priv), /accessible to other users/);
    assert.throws(() => loadDecisionSigningKey(join(dir, 'none.pem')), /no decision signing key/);
    assert.throws(() => parseDecisionVerifyKey(privatePem, 'fleet.hubPublicKey'), /private key/);
    assert.throws(() => parseDecisionVerifyKey('nope', 'fleet.hubPublicKey'), /not a PEM/);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'secret-garbage', { mode: 0o600 });
    assert.throws(
      () => loadDecisionSigningKey(garbage),
      (err: Error) =>
        /no readable private key/.test(err.message) && !err.message.includes('secret-garbage'),
    );
  });
});
