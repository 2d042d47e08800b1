import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceHealth } from '../sources/source.js';
import { WebMetrics } from './metrics.js';

describe('/metrics', () => {
  it("shows each source's errors, such as a rotated rest that was not found", async () => {
    const health: SourceHealth = {
      id: 'file:/var/log/auth.log',
      position: '/var/log/auth.log@10',
      lag: 0,
      lastLineAt: null,
      linesRead: 3,
      skipped: 0,
      errors: 1,
      lastError: 'the rest of the file in the cursor was not found',
    };
    const metrics = new WebMetrics({
      counts: () =>
        Promise.resolve({
          failures24h: 0,
          findings24h: 0,
          activeBans: 0,
          unenforcedBans: 0,
          fleetBans: 0,
          pendingApprovals: 0,
          jails: {},
        }),
      loginAddresses: () => 0,
      storeBytes: () => 0,
      health: () => [health],
    });
    assert.match(
      await metrics.text(),
      /^sheriff_source_errors\{source="file:\/var\/log\/auth.log"\} 1$/m,
    );
  });
});
