import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileFilter } from '../filters/engine.js';
import { findFilter } from '../filters/registry.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { DEFAULT_START, writeAuthLog, writeMixedAuthLog } from './authlog-generator.js';
import { eachLine } from './floor.js';
import { regexFloor, writeRegexPlan } from './regex-floor.js';

describe('the regex floor', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sheriff-regex-floor-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // It is a floor of the engine's work only if it matches what the engine matches.
  for (const [name, write] of [
    ['auth.log', writeAuthLog],
    ['auth-mixed.log', writeMixedAuthLog],
  ] as const) {
    it(`matches the lines sshd's filter reads on the bench's ${name}`, async () => {
      const log = join(dir, name);
      await write(log, { lines: 20_000, seed: 7, start: DEFAULT_START });
      const plan = await writeRegexPlan(join(dir, `${name}.plan.json`));
      assert.ok(plan.rules.length > 20);

      const floor = regexFloor(plan);
      await eachLine(log, floor.line);

      const times = { zone: new TimeZone('UTC'), reference: () => Date.UTC(2024, 11, 1) };
      const parser = new LineParser(times);
      const classifier = compileFilter(findFilter('sshd')!, 'normal', { times });
      let sshd = 0;
      let events = 0;
      await eachLine(log, (line) => {
        const record = parser.parse(line)!;
        if (record.program?.startsWith('sshd')) sshd++;
        if (classifier.classify(record, line) !== null) events++;
      });
      assert.equal(floor.counts.lines, 20_000);
      assert.equal(floor.counts.messages, sshd);
      assert.equal(floor.counts.matched, events);
      assert.ok(events > 5_000, `${events} events`);
    });
  }
});
