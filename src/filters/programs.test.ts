/**
 * Which programs a filter reads, remembered by name: the answers stay right when a log
 * switches programs line by line, for names given by prefix (`php*`), and after more
 * made-up program names than the memory holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter } from './engine.js';
import { filterRegistry } from './registry.js';

const parser = new LineParser({ zone: new TimeZone('UTC'), reference: () => Date.UTC(2026, 0, 2) });
const classify = (name: string) => {
  const c = compileFilter(filterRegistry().spec(name)!);
  return (line: string) => c.classify(parser.parse(line)!, line)?.result ?? 'none';
};

describe('the programs a filter reads', () => {
  it('answers by name, line after line, however many other programs pass by', () => {
    const sshd = classify('sshd');
    const failure = (program: string, k: number) =>
      `Jan  1 00:00:00 host ${program}[${1000 + k}]: Failed password for root from 192.0.2.${k % 250} port 22 ssh2`;
    for (let k = 0; k < 3000; k++) {
      // The same message under a made-up name is not sshd's; under each of sshd's names it is.
      assert.equal(sshd(failure(`made-up-program-${k}`, k)), 'none');
      assert.equal(sshd(failure(['sshd', 'sshd-session', 'sshd-auth'][k % 3]!, k)), 'fail');
    }
  });

  it('reads a program named by prefix, and not one the prefix is not a prefix of', () => {
    const spec = filterRegistry().spec('roundcube')!;
    assert.ok(spec.programs?.includes('php*'));
    const c = compileFilter(spec);
    const line = (program: string) =>
      `Jan  1 00:00:00 host ${program}[42]: ${filterRegistry()
        .get('roundcube')!
        .samples.find((s) => s.expect.result === 'fail')!
        .text.replace(/^.*?\]: /, '')}`;
    const read = (program: string) => c.classify(parser.parse(line(program))!, line(program));
    assert.notEqual(read('php-fpm8.2'), null);
    assert.notEqual(read('php'), null);
    assert.equal(read('ph'), null);
    assert.notEqual(read('php-fpm8.2'), null);
  });
});
