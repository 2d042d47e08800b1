/**
 * The filter engine's open connections (connections.ts): at most 10,000, the
 * least recently used forgotten first, exactly. A connection seen again is kept
 * however many others opened since; the old two-generation map forgot it once
 * its generation was dropped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter } from './engine.js';
import { findFilter } from './registry.js';

const parser = new LineParser({
  zone: new TimeZone('UTC'),
  reference: () => Date.UTC(2026, 11, 6, 21),
});
const line = (pid: number, msg: string) => `Dec  6 20:00:00 web1 sshd[${pid}]: ${msg}`;

describe('open connections', () => {
  it('are forgotten least recently used first, exactly', () => {
    const sshd = compileFilter(findFilter('sshd')!);
    const classify = (pid: number, msg: string) => sshd.classify(parser.parse(line(pid, msg))!);
    // The connection whose address a later line needs, then 5,000 others, each seen twice.
    classify(1, 'Connection from 203.0.113.9 port 40000 on 10.0.0.1 port 22');
    for (let pid = 2; pid <= 5001; pid++) classify(pid, `Connection from 198.51.100.7 port ${pid}`);
    for (let pid = 2; pid <= 5001; pid++)
      classify(pid, `Failed password for root from 198.51.100.7 port ${pid} ssh2`);
    classify(9999, 'Connection from 198.51.100.8 port 1');
    // 5,002 connections in all: far under the cap, so the first one is still known.
    assert.equal(sshd.connectionCount, 5002);
    const locked = classify(1, 'User root not allowed because account is locked');
    assert.deepEqual([locked?.result, locked?.ip], ['fail', '203.0.113.9']);
  });

  it('hold at most 10,000, the oldest forgotten', () => {
    const sshd = compileFilter(findFilter('sshd')!);
    const classify = (pid: number, msg: string) => sshd.classify(parser.parse(line(pid, msg))!);
    for (let pid = 1; pid <= 10_001; pid++)
      classify(pid, `Connection from 203.0.113.${pid % 250} port ${pid}`);
    assert.equal(sshd.connectionCount, 10_000);
    // Asked in this order: a line of an unknown pid opens a connection, taking the oldest slot.
    const second = classify(2, 'User root not allowed because account is locked');
    assert.equal(second?.ip, '203.0.113.2');
    const first = classify(1, 'User root not allowed because account is locked');
    assert.equal(first?.ip, null, 'the least recently used was forgotten');
  });
});
