/**
 * A filter's samples: log lines with what the filter must say about them. They
 * run in file order through one classifier per mode (connection state carries
 * from one sample to the next, as in a log), parsed as UTC with a fixed "now".
 * The loader refuses a user filter whose samples fail; the tests and
 * `sheriff test-filter --spec` run the same check.
 */
import type { AuthEvent } from '../domain.js';
import { LineParser, unparsedRecord } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter, type Classifier } from './engine.js';
import type { FilterSpec } from './spec.js';

export interface SampleExpectation {
  result: AuthEvent['result'];
  /** The canonical address (AuthEvent.ip); null: none. */
  address?: string | null;
  /** The host as logged (AuthEvent.host). */
  host?: string | null;
  user?: string | null;
  rule?: string | null;
  /** The line's client text names another address, which must not be taken. */
  injection?: boolean;
}

export interface Sample {
  /** The line of the filter file it is written on (0 when it has none). */
  at: number;
  text: string;
  /** The modes it runs in. */
  modes: readonly string[];
  expect: SampleExpectation;
}

export interface SampleCheck {
  sample: Sample;
  mode: string;
  event: AuthEvent | null;
  /** What differs from the expectation, one phrase each; empty when the sample passes. */
  problems: string[];
}

/** The "now" samples are read at: BSD syslog times without a year fall in 2026. */
export const SAMPLE_NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const COMPARED = [
  ['result', 'result'],
  ['address', 'ip'],
  ['host', 'host'],
  ['user', 'user'],
  ['rule', 'rule'],
] as const;

export function runSamples(spec: FilterSpec, samples: readonly Sample[]): SampleCheck[] {
  const times = { zone: new TimeZone('UTC'), reference: () => SAMPLE_NOW };
  const parser = new LineParser(times);
  const classifiers = new Map<string, Classifier>();
  const checks: SampleCheck[] = [];
  for (const sample of samples)
    for (const mode of sample.modes) {
      let classifier = classifiers.get(mode);
      if (classifier === undefined) {
        classifier = compileFilter(spec, mode, { times });
        classifiers.set(mode, classifier);
      }
      const record = parser.parse(sample.text) ?? unparsedRecord(sample.text);
      const event = classifier.classify(record, sample.text);
      const got = {
        result: event?.result ?? 'none',
        ip: event?.ip ?? null,
        host: event?.host ?? null,
        user: event?.user ?? null,
        rule: event?.rule ?? null,
      };
      const problems: string[] = [];
      for (const [key, field] of COMPARED) {
        const want = sample.expect[key];
        if (want !== undefined && want !== got[field])
          problems.push(
            `${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got[field])}`,
          );
      }
      checks.push({ sample, mode, event, problems });
    }
  return checks;
}
