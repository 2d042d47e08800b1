/**
 * Reads fail2ban's annotated sample logs (format described in
 * test/fixtures/fail2ban/SOURCE.md) and checks a Sheriff filter against every
 * annotation, with the same bookkeeping as fail2ban's own runner: option
 * blocks, per-combination filter instances whose connection state carries
 * across blocks, constraints, and `addFILE`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthEvent } from '../domain.js';
import { canonicalIp } from '../net/ip.js';
import { LineParser, unparsedRecord } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter, type Classifier } from '../filters/engine.js';
import type { FilterSpec } from '../filters/spec.js';

/** fail2ban's test clock: 2005-08-14 10:00:00 UTC, local time in CET/CEST. */
export const ANNOTATION_NOW = 1124013600_000;
export const ANNOTATION_ZONE = 'Europe/Zurich';

export interface Check {
  file: string;
  /** 1-based line number of the log line. */
  line: number;
  /** The option combination, e.g. "normal" or "aggressive". */
  combo: string;
  ok: boolean;
  /** What differed, when not ok. */
  problem: string | null;
  event: AuthEvent | null;
}

type Options = Record<string, unknown>;

const DIRECTIVE = /^#+ ?(failJSON|fileOptions|filterOptions|addFILE):(.+)$/;
const CONDITION = /^(name|opts\.get\('(\w+)'\))\s*(==|!=)\s*'([^']*)'$/;

function evaluate(expr: string, filter: string, opts: Options): boolean {
  const m = CONDITION.exec(expr.trim());
  if (m === null) throw new Error(`unsupported annotation condition: ${expr}`);
  const actual = m[1] === 'name' ? filter : opts[m[2]!];
  return m[3] === '==' ? actual === m[4] : actual !== m[4];
}

function comboName(opts: Options): string {
  const shown = Object.entries(opts).filter(([k]) => !k.startsWith('test.'));
  if (shown.length === 0) return 'default';
  return shown.map(([k, v]) => (k === 'mode' ? String(v) : `${k}=${String(v)}`)).join(',');
}

interface Runner {
  classifier: Classifier;
  parser: LineParser;
}

export function runAnnotations(spec: FilterSpec, logsDir: string, file = spec.name): Check[] {
  const zone = new TimeZone(ANNOTATION_ZONE);
  const cache = new Map<string, Runner>();
  const checks: Check[] = [];
  const queue = [file];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const lines = readFileSync(join(logsDir, name), 'utf8').split(/\r?\n/); // fail2ban reads lines without their \r\n
    let fileOptions: Options = {};
    let combos: Options[] = [{}];
    let pending: Record<string, unknown> | null = null;
    lines.forEach((text, idx) => {
      const d = DIRECTIVE.exec(text);
      if (d !== null) {
        const value = JSON.parse(d[2]!) as unknown;
        if (d[1] === 'failJSON') pending = value as Record<string, unknown>;
        else if (d[1] === 'fileOptions') {
          fileOptions = value as Options;
          combos = [{ ...fileOptions }];
        } else if (d[1] === 'filterOptions') {
          const list = Array.isArray(value) ? (value as Options[]) : [value as Options];
          combos = list.map((o) => ({ ...fileOptions, ...o }));
        } else queue.push(value as string);
        return;
      }
      if (text.startsWith('#') || text.trim() === '') return;
      const expect = pending ?? {};
      pending = null;
      for (const opts of combos) {
        const cond = opts['test.condition'];
        if (typeof cond === 'string' && !evaluate(cond, spec.name, opts)) continue;
        if (typeof expect.constraint === 'string' && !evaluate(expect.constraint, spec.name, opts))
          continue;
        const key = comboName(opts);
        let runner = cache.get(key);
        if (runner === undefined) {
          const mode = typeof opts.mode === 'string' ? opts.mode : spec.defaultMode;
          const times = { zone, reference: () => ANNOTATION_NOW };
          runner = {
            classifier: compileFilter(spec, mode, { times }),
            parser: new LineParser(times),
          };
          cache.set(key, runner);
        }
        const record = runner.parser.parse(text) ?? unparsedRecord(text);
        const event = runner.classifier.classify(record, text);
        const problem = compare(expect, event, zone);
        checks.push({
          file: name,
          line: idx + 1,
          combo: key,
          ok: problem === null,
          problem,
          event,
        });
      }
    });
  }
  return checks;
}

function compare(
  expect: Record<string, unknown>,
  event: AuthEvent | null,
  zone: TimeZone,
): string | null {
  const failed = event !== null && event.result === 'fail';
  if (expect.match !== true) return failed ? `unexpected failure (rule ${event.rule})` : null;
  if (!failed)
    return `expected a failure, got ${event === null ? 'no match' : `${event.result} (${event.rule})`}`;
  if (typeof expect.host === 'string') {
    const want = expect.host;
    const ok = want === event.host || (event.ip !== null && canonicalIp(want) === event.ip);
    if (!ok) return `host: expected ${want}, got ${event.host}`;
  }
  for (const key of ['ip4', 'ip6'] as const) {
    const want = expect[key];
    if (typeof want === 'string' && canonicalIp(want) !== event.ip)
      return `${key}: expected ${want}, got ${event.ip}`;
  }
  if (typeof expect.time === 'string') {
    // fail2ban's strptime also takes one-digit fields ("2005-03-7T02:09:33").
    const m = /^(\d{4})-(\d\d?)-(\d\d?)T(\d\d?):(\d\d):(\d\d)/.exec(expect.time);
    if (m === null) return `bad expected time ${expect.time}`;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const want = zone.localToEpoch(y, mo, d, h, mi, s);
    const got = event.time === null ? null : Math.floor(event.time / 1000) * 1000;
    if (got !== want)
      return `time: expected ${expect.time}, got ${got === null ? 'none' : zone.format(got)}`;
  }
  if (typeof expect.attempts === 'number' && expect.attempts !== event.attempts)
    return `attempts: expected ${expect.attempts}, got ${event.attempts}`;
  if ('user' in expect && expect.user !== event.user)
    return `user: expected ${JSON.stringify(expect.user)}, got ${JSON.stringify(event.user)}`;
  if (Array.isArray(expect.users)) {
    const want = [...(expect.users as string[])].sort().join(',');
    const got = [...(event.users ?? [])].sort().join(',');
    if (want !== got) return `users: expected [${want}], got [${got}]`;
  }
  return null;
}
