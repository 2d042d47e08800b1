/**
 * The fast line parser against the one it replaced (testing/reference-line-parser.ts):
 * the same record for every real line the repository holds and for hostile variants of
 * them (cut, edited, random), read in sequences so that state kept between lines
 * (year inference) is exercised too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hostileLines, realLines } from '../testing/hostile.js';
import { ReferenceLineParser } from '../testing/reference-line-parser.js';
import { LineParser, type ParseOptions } from './line.js';
import { TimeZone } from './zone.js';

const options = (zone: string): ParseOptions => ({
  zone: new TimeZone(zone),
  reference: () => Date.UTC(2026, 0, 1, 12),
});

describe('the line parser against the reference', () => {
  it('reads every real line as the reference does', () => {
    for (const zone of ['UTC', 'Asia/Seoul', 'America/New_York']) {
      const fast = new LineParser(options(zone));
      const reference = new ReferenceLineParser(options(zone));
      for (const line of realLines())
        assert.deepEqual(fast.parse(line), reference.parse(line), line);
    }
  });

  it('reads sequences of hostile lines as the reference does', () => {
    fc.assert(
      fc.property(
        fc.array(hostileLines(), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('UTC', 'Europe/Berlin'),
        (lines, zone) => {
          const fast = new LineParser(options(zone));
          const reference = new ReferenceLineParser(options(zone));
          for (const line of lines)
            assert.deepEqual(fast.parse(line), reference.parse(line), JSON.stringify(line));
        },
      ),
      { numRuns: 400 },
    );
  });
});
