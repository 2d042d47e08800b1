import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { trustedNetworks } from '../intel/trusted.js';
import { CidrSet } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';
import { DatasetError, loadDataset, parseDataset } from './dataset.js';
import { DATASET_DIR, datasetTexts } from './generate-datasets.js';
import { splitDataset } from './split.js';

const triage = loadDataset(join(DATASET_DIR, 'triage.jsonl'), 'triage');
const agent = loadDataset(join(DATASET_DIR, 'agent.jsonl'), 'agent');

describe('the shipped datasets', () => {
  it('are exactly what the seeded generator writes', () => {
    const texts = datasetTexts();
    for (const name of ['triage', 'agent'] as const) {
      const committed = readFileSync(join(DATASET_DIR, `${name}.jsonl`), 'utf8');
      // Not assert.equal: a 200 kB diff helps nobody.
      assert.ok(
        committed === texts[name],
        `datasets/${name}.jsonl is stale: run node dist/eval/generate-datasets.js`,
      );
    }
  });

  it('cover every family the issue names, with enough records', () => {
    assert.ok(triage.records.length >= 150, `${triage.records.length} triage records`);
    const tags = new Set(triage.records.flatMap((r) => r.tags));
    for (const family of [
      'typo-success',
      'slow-bruteforce',
      'distributed',
      'credential-stuffing',
      'scanner',
      'internal',
      'compromise',
      'blocklisted',
      'poisoned-username',
    ])
      assert.ok(tags.has(family), family);
    assert.ok(agent.records.length >= 60, `${agent.records.length} agent scenarios`);
    assert.ok(agent.records.filter((s) => s.injection).length >= 15);
    assert.deepEqual(new Set(agent.records.map((s) => s.lang)), new Set(['ko', 'en']));
  });

  it('use documentation addresses outside and private ones inside, as the context says', () => {
    const doc = new CidrSet(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']);
    const internal = trustedNetworks();
    for (const r of [
      ...triage.records.map((x) => x.input),
      ...agent.records.map((x) => x.subject),
    ]) {
      const ip = parseIp(r.ip.replace(/\/\d+$/, ''));
      assert.ok(ip !== null, r.ip);
      if (r.context.internal) assert.ok(internal.has(ip), `${r.ip} is marked internal`);
      else assert.ok(doc.has(ip), `${r.ip} is not a documentation address`);
    }
  });
});

describe('dataset loading', () => {
  it('names the line and the field of every problem, all at once', () => {
    const good = triage.records[0]!;
    const lines = [
      JSON.stringify(good),
      '{"id": "x",',
      JSON.stringify({ ...good, id: 'bad-label', label: 'evil' }),
      '',
      JSON.stringify({
        ...good,
        id: 'bad-time',
        input: { ...good.input, events: [{ ...good.input.events[0]!, time: 'noon' }] },
      }),
      JSON.stringify(good),
    ];
    assert.throws(
      () => parseDataset(lines.join('\n'), 'triage', 'triage.jsonl'),
      (err: unknown) => {
        assert.ok(err instanceof DatasetError);
        assert.equal(err.problems.length, 4);
        assert.match(err.problems[0]!, /^triage\.jsonl:2: not JSON: /);
        assert.match(err.problems[1]!, /^triage\.jsonl:3: label: Invalid option/);
        assert.match(
          err.problems[2]!,
          /^triage\.jsonl:5: input\.events\.0\.time: Invalid input: expected number/,
        );
        assert.equal(err.problems[3], `triage.jsonl:6: id: "${good.id}" is already used on line 1`);
        return true;
      },
    );
  });

  it('refuses an empty file', () => {
    assert.throws(() => parseDataset('\n', 'agent', 'agent.jsonl'), /agent\.jsonl: no records/);
  });
});

describe('splits', () => {
  it('are disjoint, complete, stratified and the same on every run', () => {
    const splits = splitDataset(triage.records);
    const ids = [...splits.train, ...splits.dev, ...splits.test].map((r) => r.id);
    assert.equal(new Set(ids).size, triage.records.length);
    for (const label of ['benign', 'suspicious', 'malicious'] as const) {
      const all = triage.records.filter((r) => r.label === label).length;
      const inTrain = splits.train.filter((r) => r.label === label).length;
      const inTest = splits.test.filter((r) => r.label === label).length;
      assert.equal(inTrain, Math.round(all * 0.6), label);
      assert.ok(inTest > 0 && splits.dev.some((r) => r.label === label), label);
    }
    // Line order does not matter, only the seed.
    const again = splitDataset([...triage.records].reverse());
    assert.deepEqual(
      again.test.map((r) => r.id),
      splits.test.map((r) => r.id),
    );
    assert.notDeepEqual(
      splitDataset(triage.records, 1).test.map((r) => r.id),
      splits.test.map((r) => r.id),
    );
  });
});
