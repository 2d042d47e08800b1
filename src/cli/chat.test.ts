/**
 * `sheriff chat` with no LLM: it says the LLM is off once, and `approve ID` /
 * `deny ID` decide through the same approvals and guardrails as `sheriff
 * approve` (a trusted address is refused, and never reported as approved).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../app/load-config.js';
import { storePath } from '../config/paths.js';
import { configuredApprovals, type Approvals } from '../respond/approvals.js';
import { loadSecret } from '../respond/secret.js';
import { openStore } from '../store/index.js';
import { runCli } from '../testing/run-cli.js';
import { chatDecision } from './chat.js';

let dir: string;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-chat-'));
  config = join(dir, 'sheriff.yaml');
  await writeFile(
    config,
    `store: { path: ${join(dir, 'sheriff.db')} }\nsources: [{ type: file, path: ${join(dir, 'auth.log')} }]\nresponse: { firewall: dry-run }\n`,
  );
  // The daemon makes the store and its key; chat only uses them.
  const path = join(dir, 'sheriff.db');
  openStore(path).close();
  loadSecret({ storePath: path });
});

after(() => rm(dir, { recursive: true, force: true }));

async function withApprovals<T>(f: (a: Approvals) => Promise<T>): Promise<T> {
  const { config: c } = await loadConfig(config);
  const store = openStore(storePath(c.store));
  try {
    return await f(configuredApprovals(store.records, c));
  } finally {
    store.close();
  }
}

const askBan = (cidr: string) =>
  withApprovals(
    async (a) =>
      (
        await a.request(
          {
            action: 'ban',
            target: { cidr, family: 4 },
            durationMs: 3_600_000,
            reason: 'bruteforce: 5 failures',
            requestedBy: 'jail:sshd',
            jail: 'sshd',
            evidence: { findings: [], events: [] },
          },
          Date.now(),
        )
      ).id,
  );

describe('sheriff chat', () => {
  it('reads approve ID and deny ID, in English and Korean, and nothing else', () => {
    assert.deepEqual(chatDecision('approve Ab12'), { decision: 'approve', id: 'Ab12' });
    assert.deepEqual(chatDecision('승인 Ab12'), { decision: 'approve', id: 'Ab12' });
    assert.deepEqual(chatDecision('DENY x'), { decision: 'deny', id: 'x' });
    assert.equal(chatDecision('approve'), null);
    assert.equal(chatDecision('should I approve this one?'), null);
  });

  it('says the LLM is off once; approves, refuses a trusted address, denies', async () => {
    const ok = await askBan('203.0.113.50/32');
    const trusted = await askBan('127.0.0.1/32');
    const denied = await askBan('203.0.113.60/32');
    const r = await runCli(['--config', config, 'chat'], {
      input: `status\napprove ${ok}\napprove ${trusted}\ndeny ${denied}\napprove nope\nbans\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('The LLM analyst is off').length - 1, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`Approved ${ok} \\(203\\.0\\.113\\.50/32\\)`));
    assert.match(r.stdout, new RegExp(`Denied ${denied} \\(203\\.0\\.113\\.60/32\\)`));
    assert.doesNotMatch(r.stdout, new RegExp(`Approved ${trusted}`));
    assert.match(r.stdout, /trusted network 127\.0\.0\.0\/8/);
    const status = await withApprovals(async (a) =>
      Object.fromEntries((await a.list({ limit: 10 })).map((x) => [x.id, x.status])),
    );
    assert.equal(status[ok], 'approved');
    assert.equal(status[trusted], 'refused');
    assert.equal(status[denied], 'denied');
    assert.equal(Object.keys(status).length, 3);
  });
});
