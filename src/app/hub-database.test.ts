/**
 * hub.database: the password never in the YAML nor in a message, a database
 * that cannot be reached a clear error with exit status 2 (before anything
 * starts), for `sheriff hub` and `sheriff hosts` alike.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateDecisionKeyPair } from '../fleet/signing.js';
import { runCli } from '../testing/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-hub-database-'));
after(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'hunter2-Zq8';
/** tcpmux: nothing listens on it here, so a connection is refused at once. */
const CLOSED_PORT = 1;
const signingKey = join(root, 'signing.pem');
writeFileSync(signingKey, generateDecisionKeyPair().privatePem, { mode: 0o600 });

let n = 0;
function hubConfig(database: string, more = ''): string {
  const file = join(root, `hub-${++n}.yaml`);
  writeFileSync(
    file,
    [
      `store: { path: ${join(root, `hub-${n}.db`)} }`,
      'web: { enabled: false }',
      `hub: { servers: ['nats://127.0.0.1:1'], seedFile: unused, signingKey: ${signingKey},`,
      `       database: '${database}'${more} }`,
    ].join('\n'),
  );
  return file;
}

describe('hub.database', () => {
  it('refuses a URL that holds a password, without repeating it', async () => {
    for (const url of [
      `postgres://sheriff:${SECRET}@db.example/sheriff`,
      `postgresql:///sheriff?host=/run/postgresql&password=${SECRET}`,
    ]) {
      const r = await runCli(['--config', hubConfig(url), 'hosts']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /hub\.database.*holds a password.*PGPASSWORD/s);
      assert.doesNotMatch(r.stderr + r.stdout, new RegExp(SECRET));
    }
  });

  it('refuses what is not a PostgreSQL URL', async () => {
    const r = await runCli(['--config', hubConfig('mysql://db.example/sheriff'), 'hosts']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /hub\.database.*expected a PostgreSQL URL/s);
  });

  it('says which database cannot be reached, and exits 2 before the hub starts', async () => {
    const port = CLOSED_PORT;
    const file = hubConfig(`postgres://sheriff@127.0.0.1:${port}/sheriff`);
    for (const command of ['hosts', 'hub']) {
      const r = await runCli(['--config', file, command], { env: { PGPASSWORD: SECRET } });
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(
          `cannot open the store at postgres://sheriff@127\\.0\\.0\\.1:${port}/sheriff.*ECONNREFUSED`,
        ),
      );
      assert.doesNotMatch(r.stderr + r.stdout, new RegExp(SECRET));
    }
  });

  it('reads the password from a file only its owner may read, and never names it', async () => {
    const port = CLOSED_PORT;
    const passwordFile = join(root, 'pg-password');
    writeFileSync(passwordFile, `${SECRET}\n`, { mode: 0o644 });
    const file = hubConfig(
      `postgres://sheriff@127.0.0.1:${port}/sheriff`,
      `, databasePasswordFile: ${passwordFile}`,
    );
    const loose = await runCli(['--config', file, 'hosts']);
    assert.equal(loose.code, 2, loose.stderr);
    assert.match(loose.stderr, /PostgreSQL password file .* accessible to other users/);

    chmodSync(passwordFile, 0o600);
    const unreachable = await runCli(['--config', file, 'hosts']);
    assert.equal(unreachable.code, 2, unreachable.stderr);
    assert.match(unreachable.stderr, /cannot open the store at .*ECONNREFUSED/);
    assert.doesNotMatch(unreachable.stderr + unreachable.stdout, new RegExp(SECRET));
  });
});
