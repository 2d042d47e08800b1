/**
 * What filter files add to the engine: a service's own log format (lines with no
 * syslog header, their time read in the jail's zone), fail2ban's way of matching
 * (`matchOn: line`, the time cut out wherever it is), and `ignore`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthEvent } from '../domain.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter } from './engine.js';
import { parseFilterFile } from './load.js';
import type { FilterSpec } from './spec.js';

const NOW = Date.UTC(2026, 11, 7, 0, 0, 0);
const zone = new TimeZone('Asia/Seoul');
const times = { zone, reference: () => NOW };

function spec(name: string, yaml: string): FilterSpec {
  return parseFilterFile(
    `name: ${name}\ndescription: test\nreferences: [test]\n${yaml}`,
    `${name}.yaml`,
    {
      origin: 'user',
      checkSamples: true,
      include: () => undefined,
    },
  ).spec;
}

/** Each line through the parser and one classifier, as the pipeline runs them. */
function run(filter: FilterSpec, lines: string[]): (AuthEvent | null)[] {
  const classifier = compileFilter(filter, filter.defaultMode, { times });
  const parser = new LineParser(times);
  return lines.map((line) => {
    const record = parser.parse(line);
    return record === null ? null : classifier.classify(record, line);
  });
}

const VSFTPD = spec(
  'vsftpd',
  String.raw`programs: [vsftpd]
lineFormat:
  pattern: '^(?<time>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) \[pid (?<pid>\d+)\] (?<message>.*)$'
  time: ['%a %b %e %H:%M:%S %Y']
rules:
  - id: fail-login
    pattern: '\[(?<user>.*)\] FAIL LOGIN: Client "{HOST}"$'
    result: fail
samples:
  - line: 'Sun Dec  6 10:00:00 2026 [pid 4242] [bob] FAIL LOGIN: Client "192.0.2.7"'
    result: fail
    address: 192.0.2.7
    user: bob
  - line: 'Sun Dec  6 10:00:01 2026 [pid 4242] [bob] OK LOGIN: Client "192.0.2.7"'
    result: none
`,
);

describe('a filter with its own line format', () => {
  it("reads the service's own log: time in the jail's zone, pid, user and address", () => {
    const [e] = run(VSFTPD, [
      'Sun Dec  6 10:00:00 2026 [pid 4242] [bob] FAIL LOGIN: Client "192.0.2.7"',
    ]);
    assert.equal(e?.result, 'fail');
    assert.equal(e?.ip, '192.0.2.7');
    assert.equal(e?.user, 'bob');
    assert.equal(e?.time, Date.UTC(2026, 11, 6, 1, 0, 0)); // 10:00 in Seoul
  });

  it('still reads the same messages through syslog, and leaves other files alone', () => {
    const [viaSyslog, otherProgram, otherFile] = run(VSFTPD, [
      'Dec  6 10:00:00 ftp vsftpd[4242]: [bob] FAIL LOGIN: Client "192.0.2.8"',
      'Dec  6 10:00:00 ftp sshd[4242]: [bob] FAIL LOGIN: Client "192.0.2.9"',
      '[bob] FAIL LOGIN: Client "192.0.2.10"',
    ]);
    assert.equal(viaSyslog?.ip, '192.0.2.8');
    assert.equal(viaSyslog?.time, Date.UTC(2026, 11, 6, 1, 0, 0));
    assert.equal(otherProgram, null);
    assert.equal(otherFile, null);
  });

  it('reads a log whose lines look like a syslog header with a level for a host (Home Assistant)', () => {
    const ha = spec(
      'home-assistant',
      String.raw`programs: [homeassistant]
lineFormat:
  pattern: '^(?<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (?:WARNING|ERROR) \((?<program>[^)]+)\) \[homeassistant\.components\.http\.ban\] (?<message>.*)$'
  time: ['%Y-%m-%d %H:%M:%S.%f']
programs: null
rules:
  - id: invalid-auth
    pattern: 'Login attempt or request with invalid authentication from {HOST}(?: \([^)]*\))?\.?(?: Requested URL: .*)?$'
    result: fail
samples:
  - line: '2026-12-06 10:00:00.123 WARNING (MainThread) [homeassistant.components.http.ban] Login attempt or request with invalid authentication from 192.0.2.7 (192.0.2.7). Requested URL: ''/auth/login_flow''.'
    result: fail
    address: 192.0.2.7
  - line: '2026-12-06 10:00:00.123 INFO (MainThread) [homeassistant.core] Starting'
    result: none
`.replace('programs: [homeassistant]\n', ''),
    );
    const [e] = run(ha, [
      "2026-12-06 10:00:00.123 WARNING (MainThread) [homeassistant.components.http.ban] Login attempt or request with invalid authentication from 192.0.2.7 (192.0.2.7). Requested URL: '/auth/login_flow'.",
    ]);
    assert.equal(e?.ip, '192.0.2.7');
    assert.equal(e?.time, Date.UTC(2026, 11, 6, 1, 0, 0, 123));
  });
});

const IMPORTED = String.raw`origin: imported
matchOn: line
programs: null
ignore: ['for root\b']
rules:
  - id: failregex-0
    pattern: '^\s*\S+ sshd\[\d+\]: Failed \S+ for (?<user>\S+) from {HOST}(?: port \d+)?'
    result: fail
samples:
  - line: 'Dec  6 10:00:00 web1 sshd[1]: Failed password for bob from 192.0.2.7 port 22 ssh2'
    result: fail
    address: 192.0.2.7
  - line: 'Dec  6 10:00:00 web1 sshd[1]: Accepted password for bob from 192.0.2.7 port 22 ssh2'
    result: none
`;

describe('matchOn: line (fail2ban semantics)', () => {
  it('cuts the syslog time out and searches the rest of the line, unanchored', () => {
    const [e, ignored, journal] = run(spec('f2b-sshd', IMPORTED), [
      'Dec  6 10:00:00 web1 sshd[1]: Failed password for bob from 192.0.2.7 port 22 ssh2',
      'Dec  6 10:00:00 web1 sshd[1]: Failed password for root from 192.0.2.8 port 22 ssh2',
      '{"MESSAGE":"Failed password for eve from 192.0.2.9 port 22 ssh2","_COMM":"sshd","_PID":"7","_HOSTNAME":"web1","__REALTIME_TIMESTAMP":"1765000000000000"}',
    ]);
    assert.equal(e?.ip, '192.0.2.7');
    assert.equal(e?.user, 'bob');
    assert.equal(e?.time, Date.UTC(2026, 11, 6, 1, 0, 0));
    assert.equal(ignored, null, 'ignore: matches the line');
    // A journal record reads as fail2ban prints one: "host program[pid]: message".
    assert.equal(journal?.ip, '192.0.2.9');
  });

  it('finds the time with timeFormats anywhere in a line with no syslog header', () => {
    const filter = spec(
      'custom',
      String.raw`matchOn: line
timeFormats: ['\[%d/%b/%Y %H:%M:%S\]']
rules:
  - id: failregex-0
    pattern: 'client {HOST} \(\) login failed$'
    result: fail
samples:
  - line: 'app: [06/Dec/2026 10:00:00] client 192.0.2.7 () login failed'
    result: fail
    address: 192.0.2.7
  - line: 'app: [06/Dec/2026 10:00:00] client 192.0.2.7 () login ok'
    result: none
`.replace("['\\[%d/%b/%Y %H:%M:%S\\]']", "['[%d/%b/%Y %H:%M:%S]']"),
    );
    const [e, anchored] = run(filter, [
      'app: [06/Dec/2026 10:00:00] client 192.0.2.7 () login failed',
      'app: client 192.0.2.7 () [06/Dec/2026 10:00:00]login failed',
    ]);
    assert.equal(e?.ip, '192.0.2.7');
    assert.equal(e?.time, Date.UTC(2026, 11, 6, 1, 0, 0));
    // The time is cut out wherever it is before the rules run.
    assert.equal(anchored?.ip, '192.0.2.7');
  });
});
