import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { monthAt, parseBsdTime, parseIsoTime, YearInference } from './timestamp.js';
import { TimeZone, TimeZoneError, utcTime } from './zone.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

/** [zone, local wall clock y-mo-d h:mi:s, the instant it is, its RFC 3339 form]. */
type Case = [string, [number, number, number, number, number, number], number, string];

describe('utcTime', () => {
  it('is Date.UTC for any sequence of times, day 32 and hour 24 included', () => {
    const field = (min: number, max: number) => fc.integer({ min, max });
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            field(0, 9999),
            field(0, 13),
            field(0, 32),
            field(0, 24),
            field(0, 60),
            field(0, 60),
            field(0, 999),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (times) => {
          for (const [y, mo, d, h, mi, s, ms] of times)
            assert.equal(utcTime(y, mo, d, h, mi, s, ms), Date.UTC(y, mo - 1, d, h, mi, s, ms));
        },
      ),
      { numRuns: 500 },
    );
    // Two times whose fields would share a packed minute if day 32 were packed: Jan 32 is Feb 1.
    assert.equal(utcTime(2026, 2, 0, 0, 0, 0, 0), Date.UTC(2026, 1, 0));
    assert.equal(utcTime(2026, 1, 32, 0, 0, 0, 0), Date.UTC(2026, 0, 32));
  });
});

describe('TimeZone.localToEpoch and format', () => {
  const cases: Case[] = [
    ['UTC', [2026, 11, 22, 7, 51, 42], utc(2026, 11, 22, 7, 51, 42), '2026-11-22T07:51:42+00:00'],
    [
      'Etc/UTC',
      [2024, 2, 29, 23, 59, 59],
      utc(2024, 2, 29, 23, 59, 59),
      '2024-02-29T23:59:59+00:00',
    ],
    [
      'Asia/Seoul',
      [2026, 11, 22, 7, 51, 42],
      utc(2026, 11, 21, 22, 51, 42),
      '2026-11-22T07:51:42+09:00',
    ],
    ['Asia/Seoul', [2026, 7, 1, 0, 0, 0], utc(2026, 6, 30, 15), '2026-07-01T00:00:00+09:00'],
    ['Asia/Seoul', [2027, 1, 1, 0, 0, 0], utc(2026, 12, 31, 15), '2027-01-01T00:00:00+09:00'],
    // Zurich, spring forward on 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00Z).
    [
      'Europe/Zurich',
      [2026, 3, 29, 1, 59, 59],
      utc(2026, 3, 29, 0, 59, 59),
      '2026-03-29T01:59:59+01:00',
    ],
    ['Europe/Zurich', [2026, 3, 29, 3, 0, 0], utc(2026, 3, 29, 1), '2026-03-29T03:00:00+02:00'],
    [
      'Europe/Zurich',
      [2026, 3, 29, 3, 30, 0],
      utc(2026, 3, 29, 1, 30),
      '2026-03-29T03:30:00+02:00',
    ],
    ['Europe/Zurich', [2026, 7, 1, 12, 0, 0], utc(2026, 7, 1, 10), '2026-07-01T12:00:00+02:00'],
    // Fall back on 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00Z); 02:xx happens twice.
    [
      'Europe/Zurich',
      [2026, 10, 25, 1, 59, 59],
      utc(2026, 10, 24, 23, 59, 59),
      '2026-10-25T01:59:59+02:00',
    ],
    ['Europe/Zurich', [2026, 10, 25, 2, 0, 0], utc(2026, 10, 25, 0), '2026-10-25T02:00:00+02:00'],
    [
      'Europe/Zurich',
      [2026, 10, 25, 2, 30, 0],
      utc(2026, 10, 25, 0, 30),
      '2026-10-25T02:30:00+02:00',
    ],
    [
      'Europe/Zurich',
      [2026, 10, 25, 2, 59, 59],
      utc(2026, 10, 25, 0, 59, 59),
      '2026-10-25T02:59:59+02:00',
    ],
    ['Europe/Zurich', [2026, 10, 25, 3, 0, 0], utc(2026, 10, 25, 2), '2026-10-25T03:00:00+01:00'],
    ['Europe/Zurich', [2026, 12, 1, 12, 0, 0], utc(2026, 12, 1, 11), '2026-12-01T12:00:00+01:00'],
    // New York: spring forward 8 March 2026 at 02:00 EST, fall back 1 November 2026 at 02:00 EDT.
    [
      'America/New_York',
      [2026, 3, 8, 1, 59, 0],
      utc(2026, 3, 8, 6, 59),
      '2026-03-08T01:59:00-05:00',
    ],
    ['America/New_York', [2026, 3, 8, 3, 0, 0], utc(2026, 3, 8, 7), '2026-03-08T03:00:00-04:00'],
    [
      'America/New_York',
      [2026, 11, 1, 0, 59, 0],
      utc(2026, 11, 1, 4, 59),
      '2026-11-01T00:59:00-04:00',
    ],
    [
      'America/New_York',
      [2026, 11, 1, 1, 30, 0],
      utc(2026, 11, 1, 5, 30),
      '2026-11-01T01:30:00-04:00',
    ],
    ['America/New_York', [2026, 11, 1, 2, 0, 0], utc(2026, 11, 1, 7), '2026-11-01T02:00:00-05:00'],
    [
      'America/New_York',
      [2026, 1, 15, 9, 5, 7],
      utc(2026, 1, 15, 14, 5, 7),
      '2026-01-15T09:05:07-05:00',
    ],
    // Sydney falls back on 5 April 2026: 03:00 AEDT becomes 02:00 AEST (16:00Z the day before).
    [
      'Australia/Sydney',
      [2026, 4, 5, 2, 30, 0],
      utc(2026, 4, 4, 15, 30),
      '2026-04-05T02:30:00+11:00',
    ],
    ['Australia/Sydney', [2026, 4, 5, 3, 0, 0], utc(2026, 4, 4, 17), '2026-04-05T03:00:00+10:00'],
    ['Asia/Kolkata', [2026, 6, 1, 12, 0, 0], utc(2026, 6, 1, 6, 30), '2026-06-01T12:00:00+05:30'],
  ];
  for (const [name, [y, mo, d, h, mi, s], epoch, text] of cases) {
    it(`${name} ${text}`, () => {
      // A fresh zone and a shared one: the per-hour and per-bucket caches must not change answers.
      assert.equal(new TimeZone(name).localToEpoch(y, mo, d, h, mi, s), epoch);
      assert.equal(new TimeZone(name).format(epoch), text);
    });
  }

  it('gives the same answers whatever order the caches fill in', () => {
    const byZone = new Map<string, TimeZone>();
    for (const [name, [y, mo, d, h, mi, s], epoch] of [...cases].reverse()) {
      if (!byZone.has(name)) byZone.set(name, new TimeZone(name));
      assert.equal(byZone.get(name)!.localToEpoch(y, mo, d, h, mi, s), epoch, `${name} ${h}:${mi}`);
    }
  });

  it('a DST overlap resolves to the earlier instant, whichever way the hour is reached', () => {
    const z = new TimeZone('Europe/Zurich');
    const after = z.localToEpoch(2026, 10, 25, 3, 15, 0);
    assert.equal(z.localToEpoch(2026, 10, 25, 2, 15, 0), utc(2026, 10, 25, 0, 15));
    assert.equal(after - z.localToEpoch(2026, 10, 25, 2, 15, 0), 2 * 3_600_000);
  });

  it('a time in a DST gap still maps into the transition', () => {
    for (const [name, y, mo, d, at] of [
      ['Europe/Zurich', 2026, 3, 29, utc(2026, 3, 29, 1)],
      ['America/New_York', 2026, 3, 8, utc(2026, 3, 8, 7)],
    ] as const) {
      const t = new TimeZone(name).localToEpoch(y, mo, d, 2, 30, 0);
      assert.ok(Math.abs(t - at) <= 3_600_000, `${name}: ${new Date(t).toISOString()}`);
    }
  });

  it('keeps milliseconds, and writes them only when present', () => {
    const z = new TimeZone('Asia/Seoul');
    const t = z.localToEpoch(2026, 11, 22, 7, 51, 42, 5);
    assert.equal(t, utc(2026, 11, 21, 22, 51, 42, 5));
    assert.equal(z.format(t), '2026-11-22T07:51:42.005+09:00');
    assert.equal(
      new TimeZone('UTC').format(utc(1969, 12, 31, 23, 59, 59, 500)),
      '1969-12-31T23:59:59.500+00:00',
    );
  });

  it('offsetAt and yearAt', () => {
    const z = new TimeZone('Asia/Seoul');
    assert.equal(z.offsetAt(utc(2026, 11, 22)), 540);
    assert.equal(new TimeZone('America/New_York').offsetAt(utc(2026, 7, 1)), -240);
    assert.equal(z.yearAt(utc(2026, 12, 31, 15)), 2027);
    assert.equal(z.yearAt(utc(2026, 12, 31, 14, 59, 59)), 2026);
  });

  it('rejects an unknown zone with TimeZoneError', () => {
    for (const name of ['Mars/Olympus_Mons', 'Asia/Seul', '', '+25:00']) {
      assert.throws(() => new TimeZone(name), TimeZoneError, JSON.stringify(name));
    }
    assert.throws(() => new TimeZone('Nowhere/Town'), /unknown time zone "Nowhere\/Town"/);
  });
});

describe('YearInference', () => {
  const at = (zone: string, ref: number) => new YearInference(new TimeZone(zone), () => ref);

  it('uses the reference year for dates up to a day after the reference', () => {
    const y = at('UTC', utc(2026, 11, 25));
    assert.equal(y.epoch(11, 25, 0, 0, 0, 0), utc(2026, 11, 25));
    assert.equal(y.epoch(1, 1, 0, 0, 0, 0), utc(2026, 1, 1));
    assert.equal(y.epoch(11, 26, 0, 0, 0, 0), utc(2026, 11, 26)); // exactly a day after
  });

  it('puts a date more than a day after the reference in the previous year', () => {
    const y = at('UTC', utc(2026, 11, 25));
    assert.equal(y.epoch(11, 26, 0, 0, 1, 0), utc(2025, 11, 26, 0, 0, 1));
    assert.equal(y.epoch(12, 31, 23, 59, 59, 0), utc(2025, 12, 31, 23, 59, 59));
  });

  it('keeps a run from Dec 30 to Jan 2 in increasing order with the reference on Jan 2', () => {
    const y = at('UTC', utc(2027, 1, 2, 12));
    const run: [number, number, number][] = [
      [12, 30, 23],
      [12, 31, 0],
      [12, 31, 23],
      [1, 1, 0],
      [1, 1, 12],
      [1, 2, 11],
    ];
    const times = run.map(([mo, d, h]) => y.epoch(mo, d, h, 0, 0, 0));
    assert.deepEqual(times, [
      utc(2026, 12, 30, 23),
      utc(2026, 12, 31, 0),
      utc(2026, 12, 31, 23),
      utc(2027, 1, 1, 0),
      utc(2027, 1, 1, 12),
      utc(2027, 1, 2, 11),
    ]);
  });

  it('takes the year in the zone, not in UTC', () => {
    // 2027-01-01T01:00 in Seoul, still 2026 in UTC.
    const y = at('Asia/Seoul', utc(2026, 12, 31, 16));
    assert.equal(y.epoch(1, 1, 0, 30, 0, 0), utc(2026, 12, 31, 15, 30));
    assert.equal(y.epoch(12, 31, 23, 59, 0, 0), utc(2026, 12, 31, 14, 59));
  });

  it('follows a reference that moves into a new year', () => {
    let ref = utc(2026, 12, 31, 12);
    const y = new YearInference(new TimeZone('UTC'), () => ref);
    assert.equal(y.epoch(12, 31, 11, 0, 0, 0), utc(2026, 12, 31, 11));
    ref = utc(2027, 1, 1, 1);
    assert.equal(y.epoch(1, 1, 0, 30, 0, 0), utc(2027, 1, 1, 0, 30));
    assert.equal(y.epoch(12, 31, 23, 0, 0, 0), utc(2026, 12, 31, 23));
  });
});

describe('parseBsdTime and parseIsoTime', () => {
  const years = new YearInference(new TimeZone('UTC'), () => utc(2026, 11, 25));
  const bsd: [string, number | null, number][] = [
    ['Nov 23 21:50:19 host', utc(2026, 11, 23, 21, 50, 19), 15],
    ['Nov  2 07:51:41 host', utc(2026, 11, 2, 7, 51, 41), 15],
    ['Nov 2 07:51:41 host', utc(2026, 11, 2, 7, 51, 41), 14],
    ['Jul 05 18:22:44 host', utc(2026, 7, 5, 18, 22, 44), 15],
    ['Jan  1 00:00:00.250 x', utc(2026, 1, 1, 0, 0, 0, 250), 19],
    ['Nov 32 07:51:41 host', null, 0],
    ['Nov 23 24:00:00 host', null, 0],
    ['Nov 23 7:51:41 host', null, 0],
    ['Foo 23 07:51:41 host', null, 0],
    ['nov 23 07:51:41 host', null, 0],
    ['Nov 23 07:51', null, 0],
    ['Nov 23 21:50:1', null, 0], // truncated at the end of the line
    ['Nov 23 21:50:19.25', utc(2026, 11, 23, 21, 50, 19, 250), 18], // fraction at the end
  ];
  for (const [s, time, end] of bsd) {
    it(`BSD ${JSON.stringify(s)}`, () => {
      const r = parseBsdTime(s, 0, years);
      assert.deepEqual(r, time === null ? null : { time, end });
    });
  }

  const seoul = new TimeZone('Asia/Seoul');
  const iso: [string, number | null, number][] = [
    ['2026-11-22T07:51:42Z', utc(2026, 11, 22, 7, 51, 42), 20],
    ['2026-11-22T07:51:42+09:00 h', utc(2026, 11, 21, 22, 51, 42), 25],
    ['2026-11-22T07:51:42+0900 h', utc(2026, 11, 21, 22, 51, 42), 24],
    ['2026-11-22T07:51:42-05:30 h', utc(2026, 11, 22, 13, 21, 42), 25],
    ['2026-11-22T07:51:42.123456+09:00', utc(2026, 11, 21, 22, 51, 42, 123), 32],
    ['2026-11-22T07:51:42,5Z', utc(2026, 11, 22, 7, 51, 42, 500), 22],
    ['2026-11-22 07:51:42 h', utc(2026, 11, 21, 22, 51, 42), 19], // no offset: the zone's
    // Fractional seconds at the end of the line, no zone: this looped for ever once.
    ['2026-12-06T20:00:00.5', utc(2026, 12, 6, 11, 0, 0, 500), 21],
    ['2026-12-06T20:00:00.', utc(2026, 12, 6, 11, 0, 0), 20],
    ['2026-13-22T07:51:42Z', null, 0],
    ['2026-11-22T07:61:42Z', null, 0],
    ['2026/11/22 07:51:42', null, 0],
    ['2026-11-22T07:51:42+0x:00', null, 0],
    ['2026-11-22T07:51:4', null, 0], // truncated at the end of the line
    ['2026-11-22T07:51:42+09:0', null, 0],
  ];
  for (const [s, time, end] of iso) {
    it(`ISO ${JSON.stringify(s)}`, () => {
      assert.deepEqual(parseIsoTime(s, 0, seoul), time === null ? null : { time, end });
    });
  }

  it('reads explicit-offset ISO times as Date.UTC does, in any order (its minute is remembered)', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    const time = fc.record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 60 }),
      frac: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
      zone: fc.constantFrom('Z', '+00:00', '+09:00', '-0530', '+14:00'),
    });
    const zone = new TimeZone('UTC');
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 8 }), (times) => {
        for (const t of times) {
          const text = `${String(t.y).padStart(4, '0')}-${two(t.mo)}-${two(t.d)}T${two(t.h)}:${two(t.mi)}:${two(t.s)}${t.frac === undefined ? '' : `.${t.frac}`}${t.zone}`;
          const ms = Number(`${t.frac ?? ''}000`.slice(0, 3)); // milliseconds: the first three digits
          const sign = t.zone.startsWith('-') ? -1 : 1;
          const offset =
            t.zone === 'Z'
              ? 0
              : sign * (Number(t.zone.slice(1, 3)) * 60 + Number(t.zone.slice(-2)));
          const want = Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s, ms) - offset * 60_000;
          assert.equal(parseIsoTime(text, 0, zone)?.time, want, text);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('monthAt knows the twelve English abbreviations and nothing else', () => {
    const names = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
    assert.deepEqual(
      names.map((n) => monthAt(n, 0)),
      names.map((_, i) => i + 1),
    );
    for (const bad of ['JAN', 'jan', 'Jun'.slice(0, 2), 'Mai', ''])
      assert.equal(monthAt(bad, 0), 0);
  });
});
