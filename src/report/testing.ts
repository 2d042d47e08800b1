/** A sample daily report for tests of the channels that carry one. */
import { T0 } from '../store/testing.js';
import { DAY_MS } from './day.js';
import type { Enrichment } from '../domain.js';
import type { DailyReport } from './model.js';

/** What the enricher says of an attacker in `country`, AS64500 Example Net. */
export function sampleEnrichment(country = 'KR'): Enrichment {
  return {
    internal: false,
    blocklists: [],
    country,
    asn: 64500,
    asOrg: 'Example Net',
    reputation: null,
    sources: {},
  };
}

/** A busy day in Seoul: a caution, one attacker from KR, one login from a new address, a new port. */
export function sampleReport(over: Partial<DailyReport> = {}): DailyReport {
  const counts = { failures: 120, attackers: 3, bans: 1, incidents: 1 };
  return {
    version: 1,
    date: '2026-11-25',
    timezone: 'Asia/Seoul',
    from: T0 - DAY_MS,
    to: T0,
    status: {
      level: 'caution',
      reasons: [
        {
          code: 'suspicious',
          params: { count: 1, attackers: '203.0.113.5' },
          incidents: [1],
        },
      ],
    },
    day: counts,
    dayBefore: { ...counts, failures: 80, bans: 1 },
    topAttackers: [
      {
        ip: '203.0.113.5',
        failures: 100,
        users: 4,
        first: T0 - 3_600_000,
        last: T0 - 60_000,
        enrichment: sampleEnrichment(),
      },
    ],
    logins: {
      total: 1,
      groups: [
        {
          user: 'alice',
          ip: '198.51.100.7',
          host: '198.51.100.7',
          count: 1,
          first: T0 - 7_200_000,
          last: T0 - 7_200_000,
          newAddress: true,
        },
      ],
    },
    ports: {
      listening: [{ address: '0.0.0.0', port: 8080, processes: ['python3'] }],
      comparedWith: '2026-11-24',
      appeared: [{ address: '0.0.0.0', port: 8080, processes: ['python3'] }],
      vanished: [],
    },
    sessions: [{ user: 'alice', tty: 'pts/0', address: '198.51.100.7' }],
    commentary: null,
    ...over,
  };
}
