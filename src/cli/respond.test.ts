/** `sheriff approve --all [--jail J]` as a process, on a real store file. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { Approvals, authorizer } from '../respond/approvals.js';
import { parseSecret } from '../respond/secret.js';
import { Store } from '../store/index.js';
import { runCli } from '../testing/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-approve-all-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const secret = randomBytes(32).toString('hex');
const env = { SHERIFF_SECRET: secret };
/** Whoever runs the tests approves on the CLI (root may by default; anyone else is named). */
const me = userInfo().username;

describe('sheriff approve --all', () => {
  it('approves every pending one (of a jail), each audited per address; a tampered one is refused', async () => {
    const path = join(dir, 'sheriff.db');
    const config = join(dir, 'sheriff.yaml');
    writeFileSync(
      config,
      `store: { path: ${path} }\nsources: [{ type: stdin }]\nresponse: { approvers: { cli: [${me}] } }\n`,
    );
    const store = Store.open(path);
    const approvals = new Approvals(store.records, {
      key: parseSecret(secret, 'test'),
      authorize: authorizer(),
    });
    const ask = (ip: string, jail: string) =>
      approvals.request(
        {
          action: 'ban',
          target: { cidr: `${ip}/32`, family: 4 },
          durationMs: 3_600_000,
          reason: `${jail}: 5 failures`,
          requestedBy: `jail:${jail}`,
          jail,
          evidence: { findings: [], events: [] },
        },
        Date.now(),
      );
    const ssh = [await ask('203.0.113.1', 'sshd'), await ask('203.0.113.2', 'sshd')];
    const web = await ask('198.51.100.1', 'nginx-auth');
    const forged = await ask('198.51.100.2', 'nginx-auth');
    store.close();
    await promisify(execFile)('sqlite3', [
      path,
      `UPDATE approvals SET reason = 'approve me' WHERE id = '${forged.id}'`,
    ]);

    const usage = await runCli(['--config', config, 'approve'], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--all/);

    const one = await runCli(['--config', config, 'approve', '--all', '--jail', 'sshd'], { env });
    assert.equal(one.code, 0, one.stderr);
    for (const a of ssh)
      assert.match(one.stdout, new RegExp(`Approved ${a.id} \\(${a.target!.cidr}\\)`));
    assert.doesNotMatch(one.stdout, new RegExp(web.id));

    const rest = await runCli(['--config', config, 'approve', '--all'], { env });
    assert.equal(rest.code, 2, 'one could not be approved');
    assert.match(rest.stdout, new RegExp(`Approved ${web.id} \\(198\\.51\\.100\\.1/32\\)`));
    assert.match(rest.stdout, new RegExp(`Not approved ${forged.id}: .*does not match its MAC`));
    assert.match(rest.stderr, /1 of 2 could not be approved/);

    const again = await runCli(['--config', config, 'approve', '--all'], { env });
    assert.equal(again.code, 2, 'the tampered one stays pending and refused');

    const reopened = Store.open(path);
    try {
      const ok = reopened.audit
        .list({ limit: 1000 })
        .filter((e) => e.action === 'approval.approve' && e.outcome === 'ok');
      assert.deepEqual(
        ok.map((e) => [e.target, e.channel, e.actor]).sort(),
        [
          ['198.51.100.1/32', 'cli', me],
          ['203.0.113.1/32', 'cli', me],
          ['203.0.113.2/32', 'cli', me],
        ],
        'one entry per address, as the Unix user',
      );
    } finally {
      reopened.close();
    }
  });
});
