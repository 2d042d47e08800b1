/**
 * The daemon in-process, on real files and a real SQLite store: lines appended
 * to a watched log become findings and stored events; a restart keeps the
 * attacker's earlier failures; its ticks run on its clock (manual here);
 * sources are chosen from what the machine has.
 */
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from './parse-config.js';
import type { DaemonOptions } from './compose.js';
import { Daemon } from './daemon.js';
import type { Finding } from '../domain.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import type { Alert, Notifier } from '../notify/notifier.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { currentStatus } from '../incidents/status.js';
import { openStore } from '../store/index.js';
import { ManualClock } from '../testing/manual-clock.js';
import { waitFor } from '../testing/wait.js';

class Collect implements Notifier {
  readonly id = 'collect';
  readonly findings: Finding[] = [];
  send(alert: Alert): Promise<void> {
    if (alert.type === 'finding') this.findings.push(alert.finding);
    return Promise.resolve();
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-daemon-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (n: number, ip: string, user = `u${n}`) =>
  `${new Date().toISOString()} web1 sshd[${1000 + n}]: Failed password for invalid user ${user} from ${ip} port ${40000 + n} ssh2\n`;

function start(
  name: string,
  notifier: Notifier,
  clock = new ManualClock(),
  more: Partial<Pick<DaemonOptions, 'observer'>> = {},
) {
  const log = join(dir, `${name}.log`);
  const config = parseConfig(
    `store: { path: ${join(dir, `${name}.db`)} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]\njails: { sshd: { maxretry: 3 } }\n`,
    'test.yaml',
  );
  const daemon = Daemon.start({
    config,
    logger: createLogger({ level: 'silent', format: 'json' }),
    t: translator('en'),
    notifiers: [notifier],
    sources: config.sources,
    firewall: new DryRunFirewall({ log: () => {} }),
    clock,
    ...more,
  });
  return { daemon, log, db: join(dir, `${name}.db`) };
}

describe('Daemon', () => {
  it('turns appended lines into a finding, stored events and a stored cursor', async () => {
    const seen = new Collect();
    await writeFile(join(dir, 'a.log'), '');
    const { daemon, log, db } = start('a', seen);
    try {
      for (let i = 0; i < 3; i++) await appendFile(log, line(i, '203.0.113.50'));
      const [finding] = await waitFor('a finding', () => seen.findings.length > 0 && seen.findings);
      assert.deepEqual(
        [finding!.kind, finding!.ip, finding!.count],
        ['bruteforce', '203.0.113.50', 3],
      );
    } finally {
      await daemon.stop();
    }
    const store = openStore(db, { readonly: true });
    try {
      const events = store.events.queryEvents({ ip: '203.0.113.50' });
      assert.deepEqual(events.map((e) => e.user).sort(), ['u0', 'u1', 'u2']);
      assert.equal(events[0]!.source, `file:${log}`);
      assert.equal(store.findings.recent().length, 1);
      assert.ok(store.positions.get(`file:${log}`));
      const status = store.status.get('daemon')!.value as {
        sources: { id: string; linesRead: number }[];
      };
      assert.deepEqual(
        status.sources.map((s) => [s.id, s.linesRead]),
        [[`file:${log}`, 3]],
      );
    } finally {
      store.close();
    }
  });

  it('announces a finding before the events of the line that completed it are handled, and stores it only after giving up the CPU', async () => {
    await writeFile(join(dir, 'order.log'), '');
    const log = join(dir, 'order.log');
    const seen: string[] = [];
    const logged = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n'))
          if (l.includes('"event":"finding"')) {
            seen.push('logged finding');
            // What a reader of the log gets to do before the commits: the next turn of the loop.
            setImmediate(() => seen.push('next turn'));
          }
        done();
      },
    });
    const config = parseConfig(
      `store: { path: ${join(dir, 'order.db')} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]\njails: { sshd: { maxretry: 3 } }\n`,
      'test.yaml',
    );
    const daemon = Daemon.start({
      config,
      logger: createLogger({ level: 'info', format: 'json' }, logged),
      t: translator('en'),
      notifiers: [],
      sources: config.sources,
      firewall: new DryRunFirewall({ log: () => {} }),
      clock: new ManualClock(),
      observer: {
        event: (r) => void seen.push(`event ${r.user}`),
        finding: () => void seen.push('stored finding'),
      },
    });
    try {
      // One batch: the third line completes the finding.
      await appendFile(
        log,
        line(0, '203.0.113.60') + line(1, '203.0.113.60') + line(2, '203.0.113.60'),
      );
      await waitFor('the stored finding', () => seen.includes('stored finding'));
      assert.deepEqual(seen, [
        'event u0',
        'event u1',
        'logged finding',
        'event u2',
        'next turn',
        'stored finding',
      ]);
    } finally {
      await daemon.stop();
    }
  });

  it("at the hub, a host's finding is announced and put to approval naming the host(s) it was seen on", async () => {
    const alerts: Alert[] = [];
    const { daemon } = start('hub', {
      id: 'all',
      send: (a) => {
        alerts.push(a);
        return Promise.resolve();
      },
    });
    try {
      const now = Date.now();
      const finding: Finding = {
        kind: 'distributed',
        jail: 'sshd',
        scope: 'address',
        ip: '203.0.113.51',
        count: 9,
        first: now - 60_000,
        last: now,
        users: ['root'],
      };
      const id = daemon.parts.store.findings.insert({ ...finding, hosts: ['web-1', 'web-3'] }, now);
      daemon.found(finding, id, ['web-1', 'web-3']);
      const approval = await waitFor('the approval', () =>
        alerts.find((a) => a.type === 'approval'),
      );
      const announced = alerts.find((a) => a.type === 'finding');
      assert.deepEqual(announced?.type === 'finding' && announced.finding.hosts, [
        'web-1',
        'web-3',
      ]);
      assert.deepEqual(approval.type === 'approval' && approval.finding?.hosts, ['web-1', 'web-3']);
    } finally {
      await daemon.stop();
    }
  });

  it('remembers an attacker across a restart: failures before it still count', async () => {
    await writeFile(join(dir, 'b.log'), '');
    const first = new Collect();
    let run = start('b', first);
    await appendFile(run.log, line(1, '198.51.100.9') + line(2, '198.51.100.9'));
    await waitFor('two stored events', () => {
      const s = openStore(run.db, { readonly: true });
      try {
        return s.events.queryEvents({ ip: '198.51.100.9' }).length === 2;
      } finally {
        s.close();
      }
    });
    await run.daemon.stop();
    assert.deepEqual(first.findings, []);
    const second = new Collect();
    run = start('b', second);
    try {
      await appendFile(run.log, line(3, '198.51.100.9'));
      const [f] = await waitFor(
        'a finding after restart',
        () => second.findings.length > 0 && second.findings,
      );
      assert.deepEqual([f!.kind, f!.count], ['bruteforce', 3]);
    } finally {
      await run.daemon.stop();
    }
  });

  it('goes on reading a source whose line throws, and the others, counting the error', async () => {
    const seen = new Collect();
    const [a, b] = [join(dir, 'throws-a.log'), join(dir, 'throws-b.log')];
    await Promise.all([writeFile(a, ''), writeFile(b, '')]);
    const config = parseConfig(
      `store: { path: ${join(dir, 'throws.db')} }\nsources: [{ type: file, path: ${a}, startAtBeginning: true, pollInterval: 100ms }, { type: file, path: ${b}, startAtBeginning: true, pollInterval: 100ms }]\njails: { sshd: { maxretry: 3 } }\n`,
      'test.yaml',
    );
    // An observer must not throw; one that does stands for any bug a crafted line could reach.
    const daemon = Daemon.start({
      config,
      logger: createLogger({ level: 'silent', format: 'json' }),
      t: translator('en'),
      notifiers: [seen],
      sources: config.sources,
      firewall: new DryRunFirewall({ log: () => {} }),
      observer: {
        event: (e) => {
          if (e.user === 'boom') throw new Error('crafted line');
        },
      },
    });
    try {
      await appendFile(a, line(0, '203.0.113.60', 'boom'));
      for (let i = 1; i <= 3; i++) {
        await appendFile(a, line(i, '203.0.113.61'));
        await appendFile(b, line(i, '203.0.113.62'));
      }
      await waitFor('a finding from each source', () => seen.findings.length >= 2);
      assert.deepEqual(seen.findings.map((f) => f.ip).sort(), ['203.0.113.61', '203.0.113.62']);
      const health = daemon.health().find((h) => h.id === `file:${a}`)!;
      assert.equal(health.errors, 1);
      assert.match(health.lastError ?? '', /a line could not be processed: crafted line/);
      assert.equal(daemon.health().find((h) => h.id === `file:${b}`)!.errors, 0);
    } finally {
      await daemon.stop();
    }
  });

  it("goes on after a finding's bookkeeping throws: the next finding is still stored", async () => {
    const seen = new Collect();
    await writeFile(join(dir, 'book-throws.log'), '');
    const stored: string[] = [];
    // Booked on a timer: a throw there, unlike one in a line's handling, would end the process.
    const { daemon, log } = start('book-throws', seen, undefined, {
      observer: {
        finding: (f) => {
          if (f.ip === '203.0.113.70') throw new Error('a bug');
          stored.push(f.ip);
        },
      },
    });
    try {
      for (const ip of ['203.0.113.70', '203.0.113.71'])
        for (let i = 0; i < 3; i++) await appendFile(log, line(i, ip));
      await waitFor('the second finding handed on', () => stored.length > 0);
      assert.deepEqual(stored, ['203.0.113.71']);
      assert.equal(daemon.parts.store.findings.recent().length, 2);
    } finally {
      await daemon.stop();
    }
  });

  it('runs its ticks on its clock: the status every 5 s, stopped with the daemon', async () => {
    await writeFile(join(dir, 'tick.log'), '');
    const clock = new ManualClock();
    const t0 = clock.now();
    const { daemon, db } = start('tick', new Collect(), clock);
    const store = openStore(db, { readonly: true });
    const published = () => store.status.get('daemon')?.updatedAt;
    try {
      assert.equal(published(), t0, 'published at start');
      await clock.advance(4999);
      assert.equal(published(), t0);
      await clock.advance(1);
      assert.equal(published(), t0 + 5000);
      await clock.advance(10_000);
      assert.equal(published(), t0 + 15_000);
      await daemon.stop();
      // Stopped: nothing of the daemon is left on the clock (the source's poll, the ticks).
      assert.equal(clock.pending, 0);
    } finally {
      await daemon.stop();
      store.close();
    }
  });
  it('sums scanners (connections that never tried to log in) per address, and a busy one is an incident, not a ban', async () => {
    await writeFile(join(dir, 'scan.log'), '');
    // The clock a minute ahead of the lines' own times: their ten-minute buckets are never in its future.
    const clock = new ManualClock(Date.now() + 60_000);
    const seen = new Collect();
    const { daemon, log, db } = start('scan', seen, clock);
    const at = () => new Date().toISOString();
    let pid = 7000;
    // What OpenSSH logs for a connection that sends nothing or garbage, across versions
    // (sshd.c, packet.c sshpkt_fatal, kex.c kex_exchange_identification).
    const scan = (ip: string, n: number): string => {
      pid++;
      const p = `sshd[${pid}]`;
      switch (n % 4) {
        case 0:
          return `${at()} web1 ${p}: Did not receive identification string from ${ip} port ${40000 + n}\n`;
        case 1:
          return `${at()} web1 ${p}: error: kex_exchange_identification: Connection closed by remote host\n${at()} web1 ${p}: Connection closed by ${ip} port ${40000 + n}\n`;
        case 2:
          return `${at()} web1 sshd-session[${pid}]: error: kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"\n${at()} web1 sshd-session[${pid}]: banner exchange: Connection from ${ip} port ${40000 + n}: invalid format\n`;
        default:
          return `${at()} web1 ${p}: Bad protocol version identification 'SSH-1.5-scan' from ${ip} port ${40000 + n}\n`;
      }
    };
    try {
      let text = '';
      for (let i = 0; i < 12; i++) text += scan('198.51.100.77', i);
      for (let i = 0; i < 2; i++) text += scan('203.0.113.88', i);
      // A user who logs in, and a key-only refusal: both tried to log in, neither is a scanner.
      text += `${at()} web1 sshd[9001]: Accepted publickey for alice from 203.0.113.99 port 50000 ssh2\n`;
      text += `${at()} web1 sshd[9002]: Connection closed by authenticating user root 203.0.113.99 port 50001 [preauth]\n`;
      await appendFile(log, text);
      await waitFor('the lines read', () => daemon.health().some((h) => h.linesRead >= 22));
    } finally {
      await daemon.stop();
    }
    assert.deepEqual(seen.findings, [], 'a scanner is no finding: nothing is put to approval');
    const store = openStore(db, { readonly: true });
    try {
      const now = clock.now();
      const since = now - 3_600_000;
      assert.equal(store.scans.forAddress('198.51.100.77', since, now)?.connections, 12);
      assert.equal(store.scans.forAddress('203.0.113.88', since, now)?.connections, 2);
      assert.equal(store.scans.forAddress('203.0.113.99', since, now), null);
      assert.deepEqual(
        store.scans.top(since, now, 10).map((s) => [s.ip, s.connections]),
        [
          ['198.51.100.77', 12],
          ['203.0.113.88', 2],
        ],
      );
      // The busy scanner has an incident, triaged on its sums; the one with two connections has none.
      const incidents = store.incidents.list({ state: 'active' });
      assert.deepEqual(
        incidents.map((i) => [i.attacker, i.kinds, i.verdict]),
        [['198.51.100.77', ['scan'], 'suspicious']],
      );
      assert.ok(
        incidents[0]!.rules!.reasons.includes('probes'),
        incidents[0]!.rules!.reasons.join(),
      );
      // Scanners alone are the internet's background: the server's status stays normal.
      assert.equal((await currentStatus(store.records.activity, now)).level, 'normal');
    } finally {
      store.close();
    }
  });
});
