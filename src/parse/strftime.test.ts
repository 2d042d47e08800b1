/**
 * strftime-style time formats: whatever instant a format writes, reading the text
 * back gives the same wall-clock text (a property over zones with DST, 12-hour
 * clocks, missing years and offsets); and formats that cannot be read are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineTimes, timeFinder } from './own-line.js';
import { compileTimeFormat, TimeFormatError } from './strftime.js';
import { TimeZone } from './zone.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const two = (n: number) => String(n).padStart(2, '0');

/** A reference writer for the directives the reader knows: the test's own, independent of it. */
function write(format: string, epoch: number, zone: TimeZone): string {
  const offset = zone.offsetAt(epoch);
  const d = new Date(epoch + offset * 60_000);
  const h = d.getUTCHours();
  const fields: Record<string, string> = {
    Y: String(d.getUTCFullYear()),
    y: two(d.getUTCFullYear() % 100),
    m: two(d.getUTCMonth() + 1),
    d: two(d.getUTCDate()),
    e: String(d.getUTCDate()).padStart(2, ' '),
    H: two(h),
    k: String(h).padStart(2, ' '),
    I: two(h % 12 === 0 ? 12 : h % 12),
    p: h < 12 ? 'AM' : 'PM',
    M: two(d.getUTCMinutes()),
    S: two(d.getUTCSeconds()),
    f: String(d.getUTCMilliseconds()).padStart(3, '0'),
    a: DAYS[d.getUTCDay()]!.slice(0, 3),
    A: DAYS[d.getUTCDay()]!,
    b: MONTHS[d.getUTCMonth()]!.slice(0, 3),
    B: MONTHS[d.getUTCMonth()]!,
    z: `${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}${two(Math.abs(offset) % 60)}`,
    s: String(Math.floor(epoch / 1000)),
  };
  return format
    .replaceAll('%T', '%H:%M:%S')
    .replaceAll('%F', '%Y-%m-%d')
    .replace(/%(.)/g, (_, c: string) => fields[c]!);
}

const FORMATS = [
  '%Y-%m-%d %H:%M:%S',
  '%a %b %e %H:%M:%S %Y',
  '[%d/%b/%Y:%H:%M:%S %z]',
  '%Y-%m-%dT%H:%M:%S.%f%z',
  '%y%m%d %k:%M:%S',
  '%m/%d/%Y %I:%M:%S %p',
  '%b %e %H:%M:%S',
  '%A, %d %B %Y %T',
  '%F %T,%f',
  '%s',
];
const ZONES = ['UTC', 'Asia/Seoul', 'Europe/Zurich', 'America/New_York', 'Australia/Lord_Howe'];

describe('strftime formats', () => {
  it('read back every instant they write, as the same wall-clock text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2037, 0, 1) }),
        fc.constantFrom(...FORMATS),
        fc.constantFrom(...ZONES),
        (epoch, format, zoneName) => {
          const zone = new TimeZone(zoneName);
          // A format without a year takes the year of a "now" just after the line.
          const times = new LineTimes({ zone, reference: () => epoch + 3_600_000 });
          const text = write(format, epoch, zone);
          const span = timeFinder([format], times, true)(text);
          assert.ok(span !== null && span.time !== null, `${format}: ${text}`);
          assert.equal(write(format, span.time, zone), text);
          if (format.includes('%z') || format === '%s') {
            const precision = format.includes('%f') ? 1 : 1000;
            assert.equal(span.time, epoch - (epoch % precision));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds a time anywhere in a line, or only at its start with ^', () => {
    const times = new LineTimes({
      zone: new TimeZone('UTC'),
      reference: () => Date.UTC(2026, 0, 1),
    });
    const line = 'client 192.0.2.7 [2025-12-06 10:00:00] login failed';
    assert.deepEqual(timeFinder(['%Y-%m-%d %H:%M:%S'], times)(line), {
      start: 18,
      end: 37,
      time: Date.UTC(2025, 11, 6, 10),
    });
    assert.equal(timeFinder(['^%Y-%m-%d %H:%M:%S'], times)(line), null);
  });

  it('refuses formats it cannot read a time from', () => {
    for (const [format, message] of [
      ['%Y-%m-%d %Q', /unknown directive %Q/],
      ['%Y-%m-%d', /no hour/],
      ['%d %H:%M', /no month/],
      ['%H:%M %m/%d/%m', /%m given twice/],
      ['%Y-%m-%d %H:%M %', /lone %/],
    ] as const)
      assert.throws(
        () => compileTimeFormat(format),
        (err: unknown) => {
          assert.ok(err instanceof TimeFormatError);
          assert.match(err.message, message);
          return true;
        },
      );
  });
});
