/**
 * Golden sample files (test/samples/<filter>.log): each log line follows a
 * `# expect: {json}` line naming what the filter must say about it; a
 * `# mode: NAME` line switches the mode for the lines after it. Keys compared:
 * result, host, ip, user, rule. `"injection": true` marks a line whose
 * user-controlled text names another address that must not be extracted.
 */
import { readFileSync } from 'node:fs';
import type { AuthEvent } from '../domain.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter, type Classifier } from '../filters/engine.js';
import type { FilterSpec } from '../filters/spec.js';

export interface SampleExpectation {
  result: AuthEvent['result'];
  host?: string | null;
  ip?: string | null;
  user?: string | null;
  rule?: string | null;
  injection?: boolean;
}

export interface SampleCheck {
  line: number;
  mode: string;
  text: string;
  expect: SampleExpectation;
  event: AuthEvent | null;
  problems: string[];
}

export const SAMPLE_NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

export function runSamples(spec: FilterSpec, path: string): SampleCheck[] {
  const parser = new LineParser({ zone: new TimeZone('UTC'), reference: () => SAMPLE_NOW });
  const classifiers = new Map<string, Classifier>();
  let mode = spec.defaultMode;
  let expect: SampleExpectation | null = null;
  const checks: SampleCheck[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, idx) => {
      if (text.startsWith('# mode:')) {
        mode = text.slice(7).trim();
        return;
      }
      if (text.startsWith('# expect:')) {
        expect = JSON.parse(text.slice(9)) as SampleExpectation;
        return;
      }
      if (text.startsWith('#') || text.trim() === '') return;
      if (expect === null) throw new Error(`${path}:${idx + 1}: log line without "# expect:"`);
      let classifier = classifiers.get(mode);
      if (classifier === undefined) {
        classifier = compileFilter(spec, mode);
        classifiers.set(mode, classifier);
      }
      const record = parser.parse(text);
      const event = record === null ? null : classifier.classify(record);
      const got = {
        result: event?.result ?? 'none',
        host: event?.host ?? null,
        ip: event?.ip ?? null,
        user: event?.user ?? null,
        rule: event?.rule ?? null,
      };
      const problems: string[] = [];
      for (const key of ['result', 'host', 'ip', 'user', 'rule'] as const) {
        if (key in expect && expect[key] !== got[key])
          problems.push(
            `${key}: expected ${JSON.stringify(expect[key])}, got ${JSON.stringify(got[key])}`,
          );
      }
      checks.push({ line: idx + 1, mode, text, expect, event, problems });
      expect = null;
    });
  return checks;
}
