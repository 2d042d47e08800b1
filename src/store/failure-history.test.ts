/**
 * The long-horizon search on a big store: summing days of failures takes the
 * calling thread a second or more, so the daemon's store runs it on a worker
 * thread (OffThreadFailureHistory). Measured relative to the same search on the
 * calling thread, never against an absolute time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import type { FailureGroupQuery } from '../domain.js';
import { FailureHistoryStore } from './failure-history.js';
import { waitFor } from '../testing/wait.js';
import { openStore, type Store } from './index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7);
/** Enough failures that summing them holds a thread for a noticeable while. */
const FAILURES = 120_000;

let dir: string;
let store: Store;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-failure-history-'));
  store = openStore(join(dir, 'big.db'));
  // A week of failures from 65 536 addresses, 97 accounts; one address tries 40 accounts a day apart.
  store.db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${FAILURES - 1})
    INSERT INTO events (time, jail, filter, rule, result, ip, host, user, attempts, source, line)
    SELECT ${NOW} - (i * 7919) % (7 * ${DAY}), 'sshd', 'sshd', 'failed', 'fail',
      '203.0.' || ((i / 256) % 256) || '.' || (i % 256), NULL, 'u' || (i % 97), 1, NULL, ''
    FROM n;
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39)
    INSERT INTO events (time, jail, filter, rule, result, ip, host, user, attempts, source, line)
    SELECT ${NOW} - i * ${DAY / 8}, 'sshd', 'sshd', 'failed', 'fail', '198.51.100.7', NULL,
      'user' || i, 1, NULL, ''
    FROM n;`);
});
after(async () => {
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

const query: FailureGroupQuery = {
  jail: 'sshd',
  since: NOW - 7 * DAY,
  until: NOW,
  minFailures: 1,
  minUsers: 30,
  minDays: 1,
  ipv6Prefix: 64,
  limit: 100,
  maxNames: 16,
};

describe('the long-horizon search on a big store', () => {
  it('finds the same groups off the event loop, which stays responsive meanwhile', async () => {
    // On the calling thread: the whole search blocks it.
    const onThread = new FailureHistoryStore(store.db);
    const started = performance.now();
    const expected = onThread.failureGroups(query);
    const blocked = performance.now() - started;
    assert.deepEqual(
      expected.map((g) => [g.ip, g.users]),
      [['198.51.100.7', 40]],
    );

    const delay = monitorEventLoopDelay({ resolution: 10 });
    // Something to run on the loop while the search runs, as log lines would.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    delay.enable();
    try {
      // The monitor samples from its own ticks: let it run before and after the search.
      await waitFor('the loop sampled', () => ticks >= 3);
      const rows = await store.failureHistory.failureGroups(query);
      assert.deepEqual(rows, expected);
      const done = ticks;
      await waitFor('the loop sampled after the search', () => ticks >= done + 3);
    } finally {
      delay.disable();
      clearInterval(timer);
    }
    const worst = delay.max / 1e6;
    assert.ok(
      worst < blocked / 3,
      `the event loop waited ${worst.toFixed(0)} ms at worst; the search on the loop blocks it ${blocked.toFixed(0)} ms`,
    );
  });
});
