import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Severity } from '../domain.js';
import { Store } from './index.js';
import { T0 } from './testing.js';

const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-store-incidents-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('IncidentStore.list', () => {
  it('lists the most severe first, then the most recent activity', () => {
    const store = Store.open(join(root, 'order.db'));
    try {
      const incident = (attacker: string, lastSeen: number, severity: Severity | null) => {
        const i = store.incidents.open(
          {
            attacker,
            scope: 'address',
            kind: 'bruteforce',
            jail: 'sshd',
            first: lastSeen - HOUR,
            last: lastSeen,
            users: ['root'],
          },
          lastSeen,
        );
        if (severity !== null)
          store.incidents.setTriage(
            i.id,
            'rules',
            { verdict: 'suspicious', confidence: 0.7, severity, reasons: ['test'], evidence: [] },
            { actor: 'rules', at: lastSeen },
          );
        return attacker;
      };
      // Opened in an order that is neither the severity's nor the recency's.
      const lowNew = incident('203.0.113.1', T0, 'low');
      const untriaged = incident('203.0.113.2', T0 + HOUR, null);
      const highOld = incident('203.0.113.3', T0 - 5 * HOUR, 'high');
      const criticalOld = incident('203.0.113.4', T0 - 9 * HOUR, 'critical');
      const highNew = incident('203.0.113.5', T0 - HOUR, 'high');
      const medium = incident('203.0.113.6', T0 - 2 * HOUR, 'medium');
      assert.deepEqual(
        store.incidents.list().map((i) => i.attacker),
        [criticalOld, highNew, highOld, medium, lowNew, untriaged],
      );
      assert.deepEqual(
        store.incidents.list({ limit: 2 }).map((i) => i.attacker),
        [criticalOld, highNew],
        'a limit keeps the most severe',
      );
    } finally {
      store.close();
    }
  });
});
