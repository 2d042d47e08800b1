/**
 * At the hub, a compromise on one host raises the fleet's status level, and
 * its incident shows the attacker's activity on every host: the failures
 * below each host's threshold elsewhere, the login where it got in, and what
 * it did after (events the hosts send keep folding into the incident).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { translator } from '../i18n/index.js';
import { incidentText } from '../incidents/format.js';
import { IncidentManager } from '../incidents/manager.js';
import { currentStatus } from '../incidents/status.js';
import { TimeZone } from '../parse/zone.js';
import { authEventOf, type EventRecord } from '../store/events.js';
import { HostStore } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { sampleEvent, sampleFinding, T0 } from '../store/testing.js';
import { ManualClock } from '../testing/manual-clock.js';
import { incidentHosts } from './cross-host.js';
import { mergeAnswers } from '../intel/enricher.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-fleet-compromise-'));
after(() => rmSync(root, { recursive: true, force: true }));
const MIN = 60_000;
const ATTACKER = '203.0.113.5';

describe('a compromise at the hub', () => {
  it('raises the fleet status to danger and lists the attacker on every host', async () => {
    const store = Store.open(join(root, 'hub.db'));
    const clock = new ManualClock(T0);
    const hosts = new HostStore(store.db);
    const manager = new IncidentManager({
      store: store.records,
      clock: clock.now,
      isInternal: () => false,
      enrich: () => Promise.resolve(mergeAnswers(false, [])),
    });
    let seq = 0;
    /** What the hub does with a host's outbox row of events (app/fleet.ts). */
    const sent = async (host: string, events: Partial<EventRecord>[]) => {
      const rows = events.map((e) =>
        sampleEvent({ ip: ATTACKER, host: ATTACKER, source: 'file:/var/log/auth.log', ...e }),
      );
      assert.ok(hosts.ingest(host, 'e1', ++seq, { events: rows }, clock.now()));
      for (const e of rows) manager.onEvent(authEventOf(e), e.jail);
      await manager.settled();
    };
    try {
      // Two failures on each of web-2 and web-3: below either host's own maxretry.
      await sent('web-2', [{ time: T0 }, { time: T0 + MIN }]);
      await sent('web-3', [{ time: T0 + 2 * MIN }, { time: T0 + 3 * MIN, user: 'admin' }]);
      // On web-1: three failures, then a login: web-1's sensor reports a compromise.
      await sent('web-1', [
        { time: T0 + 4 * MIN },
        { time: T0 + 5 * MIN },
        { time: T0 + 6 * MIN },
        { time: T0 + 7 * MIN, result: 'success', rule: 'accepted' },
      ]);
      await clock.advance(7 * MIN);
      const finding = sampleFinding({
        kind: 'compromise',
        first: T0 + 4 * MIN,
        last: T0 + 7 * MIN,
        count: 3,
        users: ['root'],
      });
      const [id] = hosts.ingest(
        'web-1',
        'e1',
        ++seq,
        { findings: [{ finding, createdAt: clock.now() }] },
        clock.now(),
      )!;
      await manager.onFinding(finding, id!);
      await manager.tick();

      const status = await currentStatus(store.records.activity, clock.now());
      assert.equal(status.level, 'danger');
      assert.equal(status.reasons[0]!.code, 'compromise');
      assert.match(String(status.reasons[0]!.params.attackers), /203\.0\.113\.5/);

      // After the login the attacker tries web-3 again: the incident follows it there.
      await clock.advance(3 * MIN);
      await sent('web-3', [{ time: T0 + 10 * MIN }]);
      await manager.tick();
      const [incident] = await store.records.incidents.list({ state: 'active', limit: 10 });
      assert.equal(incident!.attacker, ATTACKER);
      assert.equal(incident!.lastSeen, T0 + 10 * MIN, 'activity on another host joins it');
      assert.equal(incident!.failures, 8, 'the failures on every host count');

      const view = await incidentHosts(store.records.activity, incident!);
      assert.deepEqual(view, [
        { host: 'web-1', failures: 3, successes: 1, first: T0 + 4 * MIN, last: T0 + 7 * MIN },
        { host: 'web-2', failures: 2, successes: 0, first: T0, last: T0 + MIN },
        { host: 'web-3', failures: 3, successes: 0, first: T0 + 2 * MIN, last: T0 + 10 * MIN },
      ]);
      const text = incidentText(
        (await store.records.incidents.get(incident!.id))!,
        translator('en'),
        TimeZone.of('UTC'),
        view,
      );
      assert.match(text, /On the fleet's hosts \(3\):/);
      assert.match(text, /web-2: 2 failures, 0 logins/);
      assert.match(text, /web-1: 3 failures, 1 logins/);
    } finally {
      store.close();
    }
  });
});
