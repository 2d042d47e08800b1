/**
 * The daily report from a real store: counts against the day before, top
 * attackers with where they are, logins from new addresses, listening ports
 * against the previous report, sessions, the quiet day, both languages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Millis } from '../domain.js';
import { translator } from '../i18n/index.js';
import { DigestThrottle } from '../notify/digest.js';
import { TrustedProvider } from '../intel/trusted.js';
import { TimeZone } from '../parse/zone.js';
import type { LiveSession } from '../respond/live-sessions.js';
import { Store } from '../store/index.js';
import { sampleEvent, T0 } from '../store/testing.js';
import { fixture } from '../testing/paths.js';
import { buildReport, type HostReaders, type ReportInputs } from './build.js';
import { DAY_MS, reportEnd } from './day.js';
import { parseReport } from './model.js';
import { sampleEnrichment, sampleReport } from './testing.js';
import { reportText } from './text.js';

const HOUR = 3_600_000;
const SEOUL = new TimeZone('Asia/Seoul');
const en = translator('en');
const ko = translator('ko');
const root = mkdtempSync(join(tmpdir(), 'sheriff-report-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const SS = [
  'LISTEN 0 4096 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))',
  'LISTEN 0 4096 [::]:22 [::]:* users:(("sshd",pid=812,fd=4))',
  'LISTEN 0 511 0.0.0.0:8080 0.0.0.0:* users:(("python3",pid=900,fd=5))',
].join('\n');

/** The built-in private ranges and a configured `trusted:` network. */
const TRUSTED = new TrustedProvider(['198.18.0.0/15']);

/** A fresh store and the inputs of a report made in Seoul. */
function setup(over: Partial<ReportInputs> = {}) {
  const store = Store.open(join(root, `r${++n}.db`));
  const inputs: ReportInputs = {
    store: store.records,
    config: { topAttackers: 10, ports: true },
    zone: SEOUL,
    internal: (ip) => TRUSTED.isInternal(ip),
    ...over,
  };
  const fail = (ip: string, time: Millis, user = 'root') =>
    store.events.insert(sampleEvent({ ip, host: ip, time, user }));
  const login = (user: string, ip: string, time: Millis) =>
    store.events.insert(
      sampleEvent({ result: 'success', rule: 'accepted', user, ip, host: ip, time }),
    );
  return { store, inputs, fail, login };
}

function host(ss: string, sessions: LiveSession[] = []): HostReaders & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: (file, args) => {
      calls.push([file, ...args].join(' '));
      return Promise.resolve(ss);
    },
    sessions: { sessions: () => Promise.resolve(sessions) },
  };
}

describe('daily report', () => {
  it('counts the last 24 hours against the 24 hours before', async () => {
    const { store, inputs, fail } = setup();
    for (let i = 0; i < 5; i++) fail('203.0.113.5', T0 - HOUR - i * 1000);
    fail('198.51.100.20', T0 - 20 * HOUR);
    fail('198.51.100.20', T0 - 1); // the last millisecond is in
    fail('203.0.113.9', T0 - DAY_MS); // the first millisecond of the day is in
    for (let i = 0; i < 3; i++) fail('203.0.113.77', T0 - 30 * HOUR - i);
    fail('203.0.113.77', T0); // the run's own instant belongs to the next report
    const ban = store.bans.insert({
      target: { cidr: '203.0.113.5/32', family: 4 },
      jail: 'sshd',
      reason: 'bruteforce',
      requestedBy: 'jail:sshd',
      approvalId: null,
      createdAt: T0 - HOUR,
      expiresAt: null,
    });
    store.bans.markApplied(ban.id, T0 - HOUR, 'nftables');
    const incident = (attacker: string, at: Millis) =>
      store.incidents.open(
        {
          attacker,
          scope: 'address',
          kind: 'bruteforce',
          jail: 'sshd',
          first: at,
          last: at,
          users: [],
        },
        at,
      );
    incident('203.0.113.5', T0 - HOUR);
    incident('203.0.113.77', T0 - 30 * HOUR);

    const r = await buildReport(inputs, T0);
    assert.equal(r.date, '2026-11-25');
    assert.equal(r.timezone, 'Asia/Seoul');
    assert.deepEqual([r.from, r.to], [T0 - DAY_MS, T0]);
    assert.deepEqual(r.day, {
      failures: 8,
      attackers: 3,
      bans: 1,
      bansNotEnforced: 0,
      incidents: 1,
    });
    assert.deepEqual(r.dayBefore, {
      failures: 3,
      attackers: 1,
      bans: 0,
      bansNotEnforced: 0,
      incidents: 1,
    });
    // Two incidents the rules have not triaged: caution, with them as the reason.
    assert.deepEqual(
      [r.status.level, r.status.reasons.map((x) => x.code)],
      ['caution', ['untriaged']],
    );
    assert.equal(r.ports, null, 'no host reader, no ports');
    assert.equal(r.sessions, null);
    assert.deepEqual(parseReport(JSON.parse(JSON.stringify(r))), r, 'stored JSON reads back');

    const text = reportText(r, en);
    assert.match(text, /^📋 Daily report 2026-11-25 \(11-24 16:00 – 11-25 16:00, Asia\/Seoul\)\n/);
    assert.match(
      text,
      /Status: 🟡 Caution\n- new incidents not triaged yet \(2: 203\.0\.113\.5, 203\.0\.113\.77\)/,
    );
    assert.match(text, /- Failed logins: 8 \(day before 3, \+5\)/);
    assert.match(text, /- Attacking addresses: 3 \(day before 1, \+2\)/);
    assert.match(text, /- Bans: 1 \(day before 0, \+1\)/);
    assert.match(text, /- New incidents: 1 \(day before 1, no change\)/);
    assert.match(text, /Successful logins: none\./);
    store.close();
  });

  it('says how many of the day’s bans a dry-run firewall blocked nothing for', async () => {
    const { store, inputs } = setup();
    const ban = (ip: string, firewall: string) => {
      const b = store.bans.insert({
        target: { cidr: `${ip}/32`, family: 4 },
        jail: 'sshd',
        reason: 'bruteforce',
        requestedBy: 'policy:auto:sshd',
        approvalId: null,
        createdAt: T0 - HOUR,
        expiresAt: null,
      });
      store.bans.markApplied(b.id, T0 - HOUR, firewall);
    };
    ban('203.0.113.5', 'dry-run');
    ban('203.0.113.6', 'dry-run');
    ban('203.0.113.7', 'nftables');
    const r = await buildReport(inputs, T0);
    assert.deepEqual([r.day.bans, r.day.bansNotEnforced], [3, 2]);
    assert.match(
      reportText(r, en),
      /- Bans: 3 \(day before 0, \+3\)\n {2}NOT ENFORCED: 2 of these bans blocked nothing \(the firewall was in dry-run\)\./,
    );
    assert.match(reportText(r, ko), /실제로 적용되지 않음: 이 중 2건은 아무것도 막지 않았습니다/);
    // A day of real bans says nothing of the kind.
    assert.doesNotMatch(reportText(sampleReport(), en), /NOT ENFORCED/);
    store.close();
  });

  it('lists the top attackers with country and AS from the enricher', async () => {
    const asked: string[] = [];
    const { store, inputs, fail } = setup({
      config: { topAttackers: 2, ports: true },
      enrich: (ip) => {
        asked.push(ip);
        return ip === '198.51.100.20'
          ? Promise.reject(new Error('GeoIP database missing'))
          : Promise.resolve(sampleEnrichment('KR'));
      },
    });
    for (let i = 0; i < 4; i++) fail('203.0.113.5', T0 - HOUR - i, `u${i}`);
    for (let i = 0; i < 2; i++) fail('198.51.100.20', T0 - HOUR - i);
    fail('192.0.2.99', T0 - HOUR);
    // When the enricher fails, the attacker's incident's enrichment is used.
    const i = store.incidents.open(
      {
        attacker: '198.51.100.20',
        scope: 'address',
        kind: 'bruteforce',
        jail: 'sshd',
        first: T0 - HOUR,
        last: T0 - HOUR,
        users: [],
      },
      T0 - HOUR,
    );
    store.incidents.setEnrichment(i.id, sampleEnrichment('US'));

    const r = await buildReport(inputs, T0);
    assert.deepEqual(asked.sort(), ['198.51.100.20', '203.0.113.5']);
    assert.deepEqual(
      r.topAttackers.map((a) => [a.ip, a.failures, a.users, a.enrichment?.country]),
      [
        ['203.0.113.5', 4, 4, 'KR'],
        ['198.51.100.20', 2, 1, 'US'],
      ],
    );
    const text = reportText(r, en);
    assert.match(
      text,
      /Top attackers:\n1\. 203\.0\.113\.5: failed attempts 4, user names tried 4 \(KR, AS64500 Example Net\)\n2\. 198\.51\.100\.20: failed attempts 2, user names tried 1 \(US, AS64500 Example Net\)/,
    );
    assert.doesNotMatch(text, /192\.0\.2\.99/, 'only the top two');
    store.close();
  });

  it('never counts a trusted or internal address among the top attackers', async () => {
    const { store, inputs, fail } = setup({ config: { topAttackers: 2, ports: true } });
    // The most failures come from the office, the VPN's ULA and a configured trusted network.
    for (const ip of ['192.168.1.10', 'fd00::7', '198.18.0.9', '10.0.0.2'])
      for (let i = 0; i < 9; i++) fail(ip, T0 - HOUR - i, `u${i}`);
    for (let i = 0; i < 3; i++) fail('203.0.113.5', T0 - HOUR - i);
    fail('192.0.2.99', T0 - HOUR);
    const r = await buildReport(inputs, T0);
    assert.deepEqual(
      r.topAttackers.map((a) => [a.ip, a.failures]),
      [
        ['203.0.113.5', 3],
        ['192.0.2.99', 1],
      ],
      'the two real attackers, with no hole left by the trusted ones',
    );
    assert.doesNotMatch(reportText(r, en), /192\.168|fd00|198\.18|10\.0\.0/);
    store.close();
  });

  it('flags a login from an address the user never logged in from, and not a known one', async () => {
    const { store, inputs, login } = setup();
    login('alice', '192.0.2.10', T0 - 3 * DAY_MS);
    login('alice', '192.0.2.10', T0 - 5 * HOUR);
    login('alice', '192.0.2.10', T0 - 4 * HOUR);
    login('bob', '192.0.2.10', T0 - 3 * HOUR); // alice's address, but new for bob
    login('alice', '198.51.100.7', T0 - 2 * HOUR);
    login('alice', '198.51.100.7', T0 - HOUR); // still the same new address: one group
    const r = await buildReport(inputs, T0);
    assert.equal(r.logins.total, 5);
    assert.deepEqual(
      r.logins.groups.map((g) => [g.user, g.ip, g.count, g.newAddress]),
      [
        ['bob', '192.0.2.10', 1, true],
        ['alice', '198.51.100.7', 2, true],
        ['alice', '192.0.2.10', 2, false],
      ],
    );
    const text = reportText(r, en);
    assert.match(
      text,
      /Successful logins \(5\):\n- 🆕 "bob" from 192\.0\.2\.10, ×1 \(11-25 13:00\): an address never seen before for this user\n- 🆕 "alice" from 198\.51\.100\.7, ×2 \(11-25 14:00 – 11-25 15:00\): an address never seen before for this user\n- "alice" from 192\.0\.2\.10, ×2 \(11-25 11:00 – 11-25 12:00\)$/m,
    );
    assert.match(reportText(r, ko), /🆕 "alice", 198\.51\.100\.7에서 2회 .*처음 보는 주소입니다/);
    store.close();
  });

  it('keeps a crafted user name on its own line, quoted and capped', async () => {
    const { store, inputs, login } = setup();
    login('x\nStatus: 🟢 Normal\u202e' + 'a'.repeat(100), '192.0.2.10', T0 - HOUR);
    const text = reportText(await buildReport(inputs, T0), en);
    const line = text.split('\n').find((l) => l.includes('192.0.2.10'))!;
    assert.match(line, /^- 🆕 "x\?Status: 🟢 Normal\?a+…" from 192\.0\.2\.10/);
    assert.equal(text.match(/Status:/g)?.length, 2, 'the status line and the quoted name only');
    store.close();
  });

  it('lists listening ports that appeared or vanished since the previous report', async () => {
    const fake = host(SS);
    const { store, inputs, fail } = setup({ host: fake });
    fail('203.0.113.5', T0 - DAY_MS - HOUR); // not a quiet day, so the ports line shows
    const first = await buildReport(inputs, T0 - DAY_MS);
    assert.deepEqual(first.ports, {
      listening: [
        { address: '0.0.0.0', port: 22, processes: ['sshd'] },
        { address: '::', port: 22, processes: ['sshd'] },
        { address: '0.0.0.0', port: 8080, processes: ['python3'] },
      ],
      comparedWith: null,
      appeared: [],
      vanished: [],
    });
    assert.match(
      reportText(first, en),
      /Listening ports: 3 \(no earlier report to compare with\)\./,
    );
    store.reports.put(first.date, first, T0 - DAY_MS);

    const next = host(
      [
        'LISTEN 0 4096 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))',
        'LISTEN 0 4096 [::]:22 [::]:* users:(("sshd",pid=812,fd=4))',
        'LISTEN 0 5 0.0.0.0:4444 0.0.0.0:* users:(("nc",pid=1333,fd=3))',
      ].join('\n'),
    );
    const r = await buildReport({ ...inputs, host: next }, T0);
    assert.deepEqual(next.calls, ['ss -ltnpH']);
    assert.equal(r.ports?.comparedWith, '2026-11-24');
    assert.deepEqual(r.ports?.appeared, [{ address: '0.0.0.0', port: 4444, processes: ['nc'] }]);
    assert.deepEqual(r.ports?.vanished, [
      { address: '0.0.0.0', port: 8080, processes: ['python3'] },
    ]);
    const text = reportText(r, en);
    assert.match(
      text,
      /Listening ports: 3; changes since 2026-11-24:\n\+ 0\.0\.0\.0:4444 "nc" \(new\)\n− 0\.0\.0\.0:8080 "python3" \(gone\)/,
    );
    assert.match(
      reportText(r, ko),
      /\+ 0\.0\.0\.0:4444 "nc" \(새로 열림\)\n− 0\.0\.0\.0:8080 "python3" \(닫힘\)/,
    );

    const same = await buildReport({ ...inputs, host: host(SS) }, T0);
    store.reports.put(same.date, same, T0);
    fail('203.0.113.5', T0 + HOUR - 1);
    const again = await buildReport({ ...inputs, host: host(SS) }, T0 + HOUR);
    assert.equal(again.ports?.comparedWith, '2026-11-25', 'a second run compares with that day’s');
    assert.match(reportText(again, en), /Listening ports: 3, no change since 2026-11-25\./);
    store.close();
  });

  it('lists who is logged in, and leaves out what it could not read', async () => {
    const sessions: LiveSession[] = [
      { address: '192.0.2.10', via: 'who', detail: 'alice on pts/0' },
      { address: '192.0.2.10', via: 'ss', detail: 'ssh connection to 192.0.2.1:22' },
      { address: '192.0.2.11', via: 'ss', detail: 'ssh connection to 192.0.2.1:22' },
    ];
    const { store, inputs } = setup({ host: host(SS, sessions) });
    const r = await buildReport(inputs, T0);
    assert.deepEqual(r.sessions, [
      { user: 'alice', tty: 'pts/0', address: '192.0.2.10' },
      { user: null, tty: null, address: '192.0.2.11' },
    ]);
    assert.match(
      reportText(r, en),
      /Logged in now:\n- "alice" on pts\/0 from 192\.0\.2\.10\n- an SSH connection from 192\.0\.2\.11/,
    );
    assert.match(
      reportText(r, ko),
      /지금 로그인한 사용자:\n- "alice" \(pts\/0, 192\.0\.2\.10에서 접속\)/,
    );

    const broken: HostReaders = {
      run: () => Promise.reject(new Error('spawn ss ENOENT')),
      sessions: { sessions: () => Promise.reject(new Error('cannot list live sessions')) },
    };
    const partial = await buildReport({ ...inputs, host: broken }, T0);
    assert.equal(partial.ports, null);
    assert.equal(partial.sessions, null);
    assert.doesNotMatch(reportText(partial, en), /Listening ports|Logged in now/);
    store.close();
  });

  it('says a quiet day in one line, in English and Korean', async () => {
    const { store, inputs } = setup({ host: host(SS) });
    const r = await buildReport(inputs, T0);
    assert.equal(
      reportText(r, en),
      '📋 Daily report 2026-11-25: a quiet day. No failed logins, no logins, no bans, no new incidents, nobody logged in; status normal.',
    );
    assert.equal(
      reportText(r, ko),
      '📋 2026-11-25 일일 보고서: 조용한 하루였습니다. 로그인 실패, 로그인, 차단, 새 사건이 모두 없고 로그인한 사람도 없습니다. 상태는 정상입니다.',
    );
    store.close();
  });

  it('reads a busy day in Korean and English, every parameter filled', () => {
    const r = sampleReport({ commentary: { lang: 'en', text: 'Block 203.0.113.5 for good.' } });
    const english = reportText(r, en);
    const korean = reportText(r, ko);
    for (const text of [english, korean]) {
      assert.doesNotMatch(text, /\{\w+\}|undefined/);
      assert.match(text, /203\.0\.113\.5: .*\(KR, AS64500 Example Net\)/);
    }
    assert.match(
      english,
      /Status: 🟡 Caution\n- suspicious activity under way \(1: 203\.0\.113\.5\)/,
    );
    assert.match(
      english,
      /🧑‍💻 Analyst \(advice, not the verdict\): Block 203\.0\.113\.5 for good\.$/,
    );
    assert.match(korean, /^📋 2026-11-25 일일 보고서 \(11-24 16:00 – 11-25 16:00, Asia\/Seoul\)/);
    assert.match(korean, /- 로그인 실패: 120회 \(전날 80회, \+40\)/);
    assert.match(korean, /- 차단: 1건 \(전날 1건, 변화 없음\)/);
    assert.match(korean, /주요 공격 주소:\n1\. 203\.0\.113\.5: 실패 100회, 시도한 사용자 이름 4개/);
    assert.match(korean, /🧑‍💻 분석가 의견 \(참고용이며 판정이 아닙니다\): Block/);
  });

  it('cuts long lists so the text fits one Telegram message', () => {
    const login = sampleReport().logins.groups[0]!;
    const r = sampleReport({
      topAttackers: Array.from({ length: 100 }, (_, i) => ({
        ...sampleReport().topAttackers[0]!,
        ip: `203.0.113.${i}`,
      })),
      logins: {
        total: 500,
        groups: Array.from({ length: 200 }, (_, i) => ({ ...login, user: `user${i}`.repeat(4) })),
      },
    });
    const text = reportText(r, ko);
    assert.ok(text.length <= 4000, `${text.length} characters`);
    assert.match(text, /… 외 \d+건/);
    assert.match(text, /수신 대기 포트/, 'later sections are still there');
  });

  it('reads a stored version-1 report (test/fixtures/report/v1.json), and nothing it does not know', () => {
    const v1: unknown = JSON.parse(readFileSync(fixture('report', 'v1.json'), 'utf8'));
    const r = parseReport(v1);
    assert.ok(r !== null);
    assert.match(
      reportText(r, en),
      /^📋 Daily report 2026-11-25 [^]*Block 203\.0\.113\.5 for good\.$/,
    );
    assert.equal(parseReport({ ...(v1 as object), version: 2 }), null);
    assert.equal(parseReport({ ...(v1 as object), day: { failures: -1 } }), null);
    assert.equal(parseReport('not a report'), null);
  });

  it('a report is never held back in a digest', () => {
    const throttle = new DigestThrottle(
      { window: 60_000, maxPerWindow: 1, perAddress: 0 },
      () => T0,
    );
    const report = { type: 'report' as const, report: sampleReport() };
    assert.equal(throttle.admit('telegram:1', { type: 'released', reason: 'x' }), true);
    assert.equal(throttle.admit('telegram:1', { type: 'released', reason: 'y' }), false);
    assert.equal(throttle.admit('telegram:1', report), true);
  });

  it('the scheduled run of a past date is its window’s end', () => {
    const nineKst = Date.UTC(2026, 10, 24, 0, 0, 0);
    assert.equal(reportEnd('0 9 * * *', SEOUL, '2026-11-24', T0), nineKst);
    assert.equal(reportEnd('0 9 * * *', SEOUL, '2026-11-26', T0), T0, 'never after now');
    assert.equal(
      reportEnd('0 9 * * 1', SEOUL, '2026-11-24', T0), // a Tuesday: no run that day
      Date.UTC(2026, 10, 24, 15, 0, 0),
    );
  });
});
