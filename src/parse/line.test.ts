import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../domain.js';
import { LineParser } from './line.js';
import { TimeZone } from './zone.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

function parser(): LineParser {
  return new LineParser({ zone: new TimeZone('UTC'), reference: () => Date.UTC(2026, 10, 25) });
}

function rec(
  time: number | null,
  host: string | null,
  program: string | null,
  pid: number | null,
  message: string,
  format: LogRecord['format'],
): LogRecord {
  return { time, host, program, pid, message, format };
}

const T = utc(2026, 11, 23, 21, 50, 19);
const FAIL = 'Failed password for root from 192.0.2.7 port 22 ssh2';

const cases: [string, string, LogRecord | null][] = [
  // BSD (RFC 3164)
  ['BSD', `Nov 23 21:50:19 web1 sshd[8148]: ${FAIL}`, rec(T, 'web1', 'sshd', 8148, FAIL, 'bsd')],
  [
    'BSD with <PRI>',
    `<38>Nov 23 21:50:19 web1 sshd[8148]: ${FAIL}`,
    rec(T, 'web1', 'sshd', 8148, FAIL, 'bsd'),
  ],
  [
    'BSD with a 3-digit <PRI>',
    '<191>Nov 23 21:50:19 web1 sshd: hi',
    rec(T, 'web1', 'sshd', null, 'hi', 'bsd'),
  ],
  [
    'single-digit day with a double space',
    'Nov  2 07:51:41 web1 sshd[1]: Invalid user admin',
    rec(utc(2026, 11, 2, 7, 51, 41), 'web1', 'sshd', 1, 'Invalid user admin', 'bsd'),
  ],
  [
    'syslogd -v <4.3>',
    'Nov 23 21:50:19 <4.3> web1 sshd[12]: msg',
    rec(T, 'web1', 'sshd', 12, 'msg', 'bsd'),
  ],
  [
    'syslogd -vv <auth.info>',
    'Nov 23 21:50:19 <auth.info> web1 sshd[12]: msg',
    rec(T, 'web1', 'sshd', 12, 'msg', 'bsd'),
  ],
  [
    'Solaris message id',
    `Nov 23 21:50:19 sol10 sshd[8148]: [ID 800047 auth.info] ${FAIL}`,
    rec(T, 'sol10', 'sshd', 8148, FAIL, 'bsd'),
  ],
  ['no hostname', 'Nov 23 21:50:19 sshd[8148]: msg', rec(T, null, 'sshd', 8148, 'msg', 'bsd')],
  ['no hostname, no pid', 'Nov 23 21:50:19 sshd: msg', rec(T, null, 'sshd', null, 'msg', 'bsd')],
  ['[sshd]: tag', 'Nov 23 21:50:19 web1 [sshd]: msg', rec(T, 'web1', 'sshd', null, 'msg', 'bsd')],
  ['[sshd] tag', 'Nov 23 21:50:19 web1 [sshd] msg', rec(T, 'web1', 'sshd', null, 'msg', 'bsd')],
  [
    'old PAM prog(module)[pid]:',
    'Nov 23 21:50:19 web1 sshd(pam_unix)[8148]: authentication failure',
    rec(T, 'web1', 'sshd', 8148, 'authentication failure', 'bsd'),
  ],
  [
    'trailing whitespace and CR are trimmed',
    'Nov 23 21:50:19 web1 sshd[1]: msg  \r',
    rec(T, 'web1', 'sshd', 1, 'msg', 'bsd'),
  ],
  [
    'host and no tag',
    'Nov 23 21:50:19 web1 -- MARK --',
    rec(T, 'web1', null, null, '-- MARK --', 'bsd'),
  ],
  [
    'journal relay with a kernel ring prefix',
    'Nov 23 21:50:19 srv sshd[20878]: kernel:[  970.699396]: Failed keyboard-interactive',
    rec(T, 'srv', 'sshd', 20878, 'Failed keyboard-interactive', 'bsd'),
  ],
  [
    'journal relay with a spaced kernel ring prefix',
    'srv sshd[20879]: kernel: [  970.699397] Failed password',
    rec(null, 'srv', 'sshd', 20879, 'Failed password', 'bare'),
  ],
  // RFC 3339 headers
  [
    'rsyslog high precision',
    `2026-11-22T07:51:42.123456+09:00 web1 sshd[8148]: ${FAIL}`,
    rec(utc(2026, 11, 21, 22, 51, 42, 123), 'web1', 'sshd', 8148, FAIL, 'rfc3339'),
  ],
  [
    'rsyslog high precision with <PRI> and Z',
    '<38>2026-11-22T07:51:42.5Z web1 sshd[1]: msg',
    rec(utc(2026, 11, 22, 7, 51, 42, 500), 'web1', 'sshd', 1, 'msg', 'rfc3339'),
  ],
  [
    'journalctl -o short-iso',
    '2026-11-22T07:51:42+0900 host sshd[1]: msg',
    rec(utc(2026, 11, 21, 22, 51, 42), 'host', 'sshd', 1, 'msg', 'rfc3339'),
  ],
  // RFC 5424
  [
    'RFC 5424 with nil fields',
    '<13>1 - - - - - - msg',
    rec(null, null, null, null, 'msg', 'rfc5424'),
  ],
  [
    'RFC 5424 with the RFC example and a BOM',
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
    rec(
      utc(2003, 10, 11, 22, 14, 15, 3),
      'mymachine.example.com',
      'su',
      null,
      "'su root' failed for lonvick on /dev/pts/8",
      'rfc5424',
    ),
  ],
  [
    'RFC 5424 with structured data holding ] and \\" in quoted values',
    '<38>1 2026-11-22T07:51:42+09:00 web1 sshd 8148 - [ex@32473 a="x]y" b="say \\"hi\\" ]"][two c="\\\\"] Failed password',
    rec(utc(2026, 11, 21, 22, 51, 42), 'web1', 'sshd', 8148, 'Failed password', 'rfc5424'),
  ],
  [
    'RFC 5424 with structured data and no message',
    '<38>1 2026-11-22T07:51:42Z web1 sshd 8148 ID1 [ex a="1"]',
    rec(utc(2026, 11, 22, 7, 51, 42), 'web1', 'sshd', 8148, '', 'rfc5424'),
  ],
  // journald JSON
  [
    'journal: _COMM wins over SYSLOG_IDENTIFIER',
    JSON.stringify({
      __REALTIME_TIMESTAMP: '1795000000123456',
      _HOSTNAME: 'web1',
      _COMM: 'logger',
      SYSLOG_IDENTIFIER: 'sshd',
      _PID: '4242',
      MESSAGE: FAIL,
    }),
    rec(1795000000123, 'web1', 'logger', 4242, FAIL, 'journal'),
  ],
  [
    'journal: SYSLOG_IDENTIFIER without _COMM, source time first',
    JSON.stringify({
      __REALTIME_TIMESTAMP: '1795000000999999',
      _SOURCE_REALTIME_TIMESTAMP: '1795000000000500',
      SYSLOG_IDENTIFIER: 'sshd',
      SYSLOG_PID: '7',
      MESSAGE: 'msg\n',
    }),
    rec(1795000000000, null, 'sshd', 7, 'msg', 'journal'),
  ],
  [
    'journal: MESSAGE as a byte array',
    JSON.stringify({ _COMM: 'sshd', MESSAGE: [...Buffer.from('Invalid user é')] }),
    rec(null, null, 'sshd', null, 'Invalid user é', 'journal'),
  ],
  ['journal: truncated record', '{"_COMM":"sshd","MESSAGE":"Failed passw', null],
  ['journal: no MESSAGE', '{"_COMM":"sshd"}', null],
  // No time at all
  ['bare host prog[pid]: msg', 'web1 sshd[1]: msg', rec(null, 'web1', 'sshd', 1, 'msg', 'bare')],
  ['bare prog: msg', 'sshd: msg here', rec(null, null, 'sshd', null, 'msg here', 'bare')],
  // Not syslog
  [
    'a shell transcript',
    '$ ls -la /var/log | grep auth',
    rec(null, null, null, null, '$ ls -la /var/log | grep auth', 'other'),
  ],
  [
    'free text',
    'hello world and more',
    rec(null, null, null, null, 'hello world and more', 'other'),
  ],
  ['one word', 'hello', rec(null, null, null, null, 'hello', 'other')],
  ['empty line', '', rec(null, null, null, null, '', 'other')],
  [
    'a truncated BSD time',
    'Nov 23 21:50:1',
    rec(null, null, null, null, 'Nov 23 21:50:1', 'other'),
  ],
];

describe('LineParser recognises each format without being told', () => {
  for (const [name, line, want] of cases) {
    it(name, () => assert.deepEqual(parser().parse(line), want));
  }

  it('gives the same records from one parser across all formats', () => {
    const p = parser();
    for (const [name, line, want] of cases) assert.deepEqual(p.parse(line), want, name);
  });
});

describe('LineParser details', () => {
  it('infers the year from the reference: a December line before a November reference', () => {
    const r = parser().parse('Dec 31 23:59:59 web1 sshd[1]: msg');
    assert.equal(r?.time, utc(2025, 12, 31, 23, 59, 59));
  });

  it('reads a zone-less RFC 3339 time in the configured zone', () => {
    const p = new LineParser({ zone: new TimeZone('Asia/Seoul'), reference: () => 0 });
    assert.equal(
      p.parse('2026-11-22T07:51:42 web1 sshd[1]: msg')?.time,
      utc(2026, 11, 21, 22, 51, 42),
    );
    assert.equal(p.parse('Nov 22 07:51:42 web1 sshd[1]: msg')?.time, utc(1969, 11, 21, 22, 51, 42));
  });

  it('keeps attacker text in the message, not in the header', () => {
    const r = parser().parse(
      'Nov 23 21:50:19 web1 sshd[1]: Invalid user root from 1.2.3.4 port 22 sshd[2]: x',
    );
    assert.equal(r?.program, 'sshd');
    assert.equal(r?.pid, 1);
    assert.equal(r?.message, 'Invalid user root from 1.2.3.4 port 22 sshd[2]: x');
  });

  it('does not take a non-numeric pid as a pid', () => {
    const r = parser().parse('<38>1 2026-11-22T07:51:42Z web1 sshd abc - - msg');
    assert.equal(r?.pid, null);
    assert.equal(r?.message, 'msg');
  });

  it('a broken RFC 5424 header falls back to a line that is still returned', () => {
    const r = parser().parse('<38>1 2026-11-22T07:51:42Z web1 sshd 1 - [unterminated a="1" msg');
    assert.ok(r !== null);
    assert.notEqual(r.format, 'rfc5424');
  });
});
