import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineParser } from './line.js';
import { parseClfTime, parseNginxErrorTime, parseWebLine } from './weblog.js';
import { TimeZone } from './zone.js';

const zurich = new TimeZone('Europe/Zurich');
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s);

describe('nginx error-log time', () => {
  it('is a wall-clock time in the zone (CEST here)', () => {
    assert.deepEqual(parseNginxErrorTime('2012/04/09 11:53:29 [error]', 0, zurich), {
      time: utc(2012, 4, 9, 9, 53, 29),
      end: 19,
    });
  });

  it('rejects other shapes and impossible values', () => {
    for (const s of [
      '2012-04-09 11:53:29',
      '2012/13/09 11:53:29',
      '2012/04/09 24:00:00',
      '2012/04/09 11:53',
      '12/04/09 11:53:29',
    ])
      assert.equal(parseNginxErrorTime(s, 0, zurich), null, s);
  });

  it('makes the message the text after "[level] pid#tid: *conn "', () => {
    const line =
      '2012/04/09 11:53:36 [error] 2865#0: *66647 user "xyz": password mismatch, client: 192.0.2.1, server: a';
    assert.deepEqual(parseWebLine(line, zurich), {
      time: utc(2012, 4, 9, 9, 53, 36),
      host: null,
      program: null,
      pid: null,
      message: 'user "xyz": password mismatch, client: 192.0.2.1, server: a',
      format: 'other',
    });
    const noConn = parseWebLine('2012/04/09 11:53:36 [emerg] 1#1: bind() failed', zurich);
    assert.equal(noConn?.message, 'bind() failed');
  });

  it('is not taken from a line without the level and pid', () => {
    assert.equal(parseWebLine('2012/04/09 11:53:36 hello there', zurich), null);
    assert.equal(parseWebLine('2012/04/09 11:53:36 [error] x: y', zurich), null);
  });
});

describe('access-log (CLF) time', () => {
  it('applies the logged offset', () => {
    assert.deepEqual(parseClfTime('[21/Jul/2014:00:23:28 +0200]', 0), {
      time: utc(2014, 7, 20, 22, 23, 28),
      end: 28,
    });
    assert.equal(parseClfTime('x [01/Jan/2015:01:00:00 -0530]', 2)?.time, utc(2015, 1, 1, 6, 30));
  });

  it('rejects other shapes and impossible values', () => {
    for (const s of [
      '[21/Jux/2014:00:23:28 +0200]',
      '[21/Jul/2014:00:23:28 0200]',
      '[21/Jul/2014 00:23:28 +0200]',
      '[32/Jul/2014:00:23:28 +0200]',
      '[21/Jul/2014:00:23:28 +02]',
    ])
      assert.equal(parseClfTime(s, 0), null, s);
  });

  it('is the bracketed field before the request, whatever the user name holds', () => {
    const line =
      '192.0.2.1 - a [01/Jan/2000:00:00:00 +0000] b [21/Jul/2014:00:23:28 +0200] "GET /x HTTP/1.1" 404 5';
    const r = parseWebLine(line, zurich);
    assert.equal(r?.time, utc(2014, 7, 20, 22, 23, 28));
    assert.equal(r?.message, line);
    assert.equal(parseWebLine('192.0.2.1 - - [21/Jul/2014:00:23:28 +0200] GET /x', zurich), null);
  });
});

describe('LineParser and web lines', () => {
  const parser = new LineParser({ zone: zurich, reference: () => utc(2026, 11, 25) });

  it('reads both forms when there is no syslog header', () => {
    assert.equal(
      parser.parse('2012/04/09 11:53:29 [error] 2865#0: *1 x')?.time,
      utc(2012, 4, 9, 9, 53, 29),
    );
    assert.equal(
      parser.parse('2001:db8::1 - - [21/Jul/2014:00:23:28 +0200] "GET / HTTP/1.1" 404 0')?.time,
      utc(2014, 7, 20, 22, 23, 28),
    );
  });

  it('leaves syslog lines that carry nginx text alone', () => {
    const r = parser.parse('host nginx[9]: 2023/12/09 21:35:20 [error] 9#9: *3 user "u"');
    assert.equal(r?.format, 'bare');
    assert.equal(r?.program, 'nginx');
    assert.equal(r?.time, null);
    assert.equal(r?.message, '2023/12/09 21:35:20 [error] 9#9: *3 user "u"');
  });
});
