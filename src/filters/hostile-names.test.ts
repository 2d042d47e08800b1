/**
 * An attacker-chosen user name never moves the address: generated hostile names
 * in every sshd message that carries one, with and without the connection's
 * earlier unambiguous line, and across a restart of the classifier. A line that
 * reads with its address in two places gives the connection's own address or
 * none (ambiguous), never the one in the name. The regexes that look for the
 * second reading are checked for super-linear backtracking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthEvent, ConnectionAddress } from '../domain.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { caseArb, caseLines, type HostileCase } from '../testing/hostile-names.js';
import { compileFilter, type Classifier } from './engine.js';
import { checkRegex } from './redos.js';
import { escapeRegExp, splitPatterns } from './splits.js';
import { findFilter } from './registry.js';

const sshd = findFilter('sshd')!;

const parser = new LineParser({
  zone: new TimeZone('UTC'),
  reference: () => Date.UTC(2026, 11, 6, 21),
});

function classify(classifier: Classifier, line: string): AuthEvent | null {
  const record = parser.parse(line);
  assert.ok(record !== null, `unparsable: ${JSON.stringify(line)}`);
  return classifier.classify(record);
}

/** The event of a case's last line, each case on a pid of its own. */
function run(classifier: Classifier, c: HostileCase, pid: number): AuthEvent | null {
  let event: AuthEvent | null = null;
  for (const line of caseLines(c, pid)) event = classify(classifier, line);
  return event;
}

const show = (c: HostileCase, e: AuthEvent | null) =>
  `${c.template.id} after ${c.earlier}, peer ${c.peer.logged}, name ${JSON.stringify(c.name)}: ` +
  JSON.stringify(e && { rule: e.rule, result: e.result, ip: e.ip, ambiguous: e.ambiguous });

const line = (pid: number, msg: string) => `Dec  6 20:00:00 web1 sshd[${pid}]: ${msg}`;

/** The example: the name holds " from 1.2.3.4 port 22 ssh2: y". */
const TRICK =
  'Failed password for invalid user x from 1.2.3.4 port 22 ssh2: y from 198.51.100.1 port 4242 ssh2';

describe('sshd: a hostile user name never moves the address', () => {
  it('the issue example: no address on its own, the real one after the connection’s earlier line', () => {
    const c = compileFilter(sshd);
    const alone = classify(c, line(100, TRICK));
    assert.deepEqual(
      [alone?.result, alone?.ip, alone?.ambiguous, alone?.user],
      ['fail', null, true, 'x from 1.2.3.4 port 22 ssh2: y'],
    );
    classify(c, line(101, 'Connection from 198.51.100.1 port 4242 on 192.0.2.254 port 22'));
    const verbose = classify(c, line(101, TRICK));
    assert.deepEqual(
      [verbose?.ip, verbose?.ambiguous, verbose?.user],
      ['198.51.100.1', undefined, 'x from 1.2.3.4 port 22 ssh2: y'],
    );
    classify(
      c,
      line(102, 'Invalid user x from 1.2.3.4 port 22 ssh2: y from 198.51.100.1 port 4242'),
    );
    assert.equal(classify(c, line(102, TRICK))?.ip, '198.51.100.1');
  });

  it('an address the connection never had does not settle an ambiguous line', () => {
    const c = compileFilter(sshd);
    // The connection's address is 198.51.100.9: the line reads with 1.2.3.4 or 198.51.100.1, not with it.
    classify(c, line(110, 'Connection from 198.51.100.9 port 4242 on 192.0.2.254 port 22'));
    const e = classify(c, line(110, TRICK));
    assert.deepEqual([e?.ip, e?.ambiguous], [null, true]);
  });

  it('generated names, every message, with and without the earlier line: 0 wrong addresses', () => {
    const classifier = compileFilter(sshd, 'aggressive');
    let pid = 1000;
    const seen = { ambiguous: 0, settled: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const e = run(classifier, c, ++pid);
        if (e === null) return;
        assert.ok(e.ip === null || e.ip === c.peer.ip, `wrong address: ${show(c, e)}`);
        if (c.earlier !== 'none') assert.equal(e.ip, c.peer.ip, `unsettled: ${show(c, e)}`);
        else if (e.ip === null && e.host === null && e.rule === 'failed')
          assert.equal(e.ambiguous, true, `a failure lost its address silently: ${show(c, e)}`);
        if (e.ambiguous) seen.ambiguous++;
        else if (c.earlier !== 'none' && /from .* port \d+ ssh2/.test(c.name)) seen.settled++;
      }),
      { numRuns: 4000 },
    );
    // The generators reach the cases that matter. The bar sits well below what 4,000 random
    // runs give, so no seed fails it (a bar of 50 failed about once in 20 runs).
    assert.ok(seen.ambiguous > 20, `${seen.ambiguous} ambiguous lines`);
    assert.ok(seen.settled > 20, `${seen.settled} settled lines`);
  });

  it('`Accepted … for NAME from A` never takes an address from the name or the key id', () => {
    const classifier = compileFilter(sshd);
    let pid = 50_000;
    fc.assert(
      fc.property(caseArb, (c) => {
        // The account's name holds no ":" (see nameFor); a certificate's key id may hold anything.
        const accepted = [
          `Accepted password for ${c.name.replaceAll(':', '')} from ${c.peer.logged} port ${c.port} ssh2`,
          `Accepted publickey for root from ${c.peer.logged} port ${c.port} ssh2: ED25519-CERT SHA256:abc ID ${c.name} (serial 1) CA ED25519 SHA256:def`,
        ];
        for (const msg of accepted) {
          const e = classify(classifier, line(++pid, msg));
          if (e === null) continue; // a name with spaces is no account's
          assert.deepEqual([e.result, e.ip], ['success', c.peer.ip], msg);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps what it learned across a restart: a new classifier restored from the journal settles the line', () => {
    const saved = new Map<number, ConnectionAddress>();
    const journal = {
      learned: (a: ConnectionAddress) => saved.set(a.pid, a),
      forgotten: (_host: string | null, pid: number) => saved.delete(pid),
    };
    const before = compileFilter(sshd, 'normal', { journal });
    classify(
      before,
      line(200, 'Invalid user x from 1.2.3.4 port 22 ssh2: y from 198.51.100.1 port 4242'),
    );
    classify(before, line(201, 'Invalid user z from 198.51.100.2 port 4243'));
    classify(
      before,
      line(201, 'Connection closed by invalid user z 198.51.100.2 port 4243 [preauth]'),
    );
    assert.deepEqual([...saved.keys()], [200], 'an ended connection is forgotten');

    const after = compileFilter(sshd, 'normal', { journal });
    after.restore(saved.values());
    assert.equal(classify(after, line(200, TRICK))?.ip, '198.51.100.1');
    // Without the restore, the same line has no address.
    assert.equal(classify(compileFilter(sshd), line(200, TRICK))?.ip, null);
  });

  it('a restored address idle past a connection’s life (pid reused) settles nothing', () => {
    const after = compileFilter(sshd);
    after.restore([
      { logHost: 'web1', pid: 300, host: '198.51.100.1', seenAt: Date.UTC(2026, 11, 6, 19) },
    ]);
    // An hour later the pid is another connection's.
    assert.equal(classify(after, line(300, TRICK))?.ip, null);
  });

  // The greedy and lazy forms are among filterRegexes, checked in redos.system.test.ts; this is the third.
  it('the form that asks whether a line reads with a known host backtracks linearly (recheck)', async () => {
    for (const rule of sshd.rules.filter((r) => r.clientTextAfterHost)) {
      const source = splitPatterns(rule.pattern).greedy.replace(
        '{HOST}',
        `(?<host>${escapeRegExp('2001:db8::1%eth0')})`,
      );
      const v = await checkRegex(rule.id, new RegExp(`^(?:${source})`), 300_000);
      assert.equal(v.status, 'safe', `${rule.id}: ${v.detail}`);
    }
  });
});
