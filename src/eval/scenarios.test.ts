/**
 * The scenarios dataset: generated worlds, run through the real pipeline,
 * labelled by the scenario behind each incident, split dev/test with the test
 * file sealed. (That the committed files are what the generator and the
 * pipeline make today is checked in scenarios.system.test.ts: it takes minutes.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { trustedNetworks } from '../intel/trusted.js';
import { CidrSet } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';
import { chooseTriage, checkSeal, NoSplitError, UnsealedError } from './choose.js';
import { loadDataset } from './dataset.js';
import { DATASET_DIR } from './generate-datasets.js';
import {
  scenarioFile,
  SEALED_TEST_SHA256,
  splitScenarios,
  type ScenarioSplit,
} from './scenario-dataset.js';
import {
  generateWorlds,
  SCENARIO_KINDS,
  SCENARIO_SEED,
  type Scenario,
  type World,
} from './scenario-generator.js';
import { runWorld } from './scenario-run.js';

const worlds = generateWorlds();
const scenarios = new Map(worlds.flatMap((w) => w.scenarios).map((s) => [s.id, s]));
const split = splitScenarios([...scenarios.values()]);
const files = {
  dev: loadDataset(scenarioFile(DATASET_DIR, 'dev'), 'triage'),
  test: loadDataset(scenarioFile(DATASET_DIR, 'test'), 'triage'),
};
const tmp = mkdtempSync(join(tmpdir(), 'sheriff-scenarios-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The scenario a record id names: `<scenario id>-i<n>`. */
function scenarioOf(id: string): Scenario | undefined {
  return scenarios.get(id.replace(/-i\d+$/, ''));
}

describe('the scenario generator', () => {
  it('writes the same worlds for the same seed, and other worlds for another', () => {
    assert.deepEqual(generateWorlds(SCENARIO_SEED), worlds);
    const other = generateWorlds(SCENARIO_SEED + 1);
    assert.notDeepEqual(
      other.map((w) => w.lines),
      worlds.map((w) => w.lines),
    );
  });

  it('plays every kind in Korean-relevant and generic worlds, as OpenSSH writes it', () => {
    for (const variant of ['ko', 'generic'] as const) {
      const own = worlds.filter((w) => w.variant === variant);
      assert.ok(own.length >= 4, variant);
      const kinds = new Set(own.flatMap((w) => w.scenarios.map((s) => s.kind)));
      assert.deepEqual([...kinds].sort(), Object.keys(SCENARIO_KINDS).sort(), variant);
    }
    const ko = worlds.filter((w) => w.variant === 'ko');
    assert.ok(ko.every((w) => w.timezone === 'Asia/Seoul'));
    // Hangul injection text in user names, on the Korean servers.
    assert.ok(ko.some((w) => w.lines.some((l) => /Invalid user \S*[가-힣]/.test(l))));
    const all = worlds.flatMap((w) => w.lines);
    for (const form of [
      /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ sshd\[\d+\]: /, // BSD syslog
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \S+ sshd\[\d+\]: /, // rsyslog RFC 3339
      /: pam_unix\(sshd:auth\): authentication failure; /,
      /: Connection closed by authenticating user \S+ \S+ port \d+ \[preauth\]$/,
      /: Did not receive identification string from /,
      /: Accepted publickey for /,
    ])
      assert.ok(
        all.some((l) => form.test(l)),
        String(form),
      );
  });

  it('gives each scenario its own addresses', () => {
    const seen = new Map<string, string>();
    for (const w of worlds)
      for (const s of w.scenarios)
        for (const ip of s.sources) {
          const key = `${w.id} ${ip}`;
          assert.equal(seen.get(key), undefined, `${ip} in ${s.id} and ${seen.get(key)}`);
          seen.set(key, s.id);
        }
  });
});

describe('running a world through the pipeline', () => {
  it('gives the same incidents on every run', async () => {
    // Its first two days (the long-horizon search is what takes time).
    const w = worlds[0]!;
    const world = { ...w, lines: w.lines.slice(0, 1000), end: w.start + 2 * 86_400_000 };
    const summary = (xs: Awaited<ReturnType<typeof runWorld>>) =>
      xs.map((x) => ({ scenario: x.scenario.id, input: x.input }));
    const first = summary(await runWorld(world));
    assert.ok(first.length >= 5, `${first.length} incidents`);
    assert.deepEqual(summary(await runWorld(world)), first);
  });

  it('labels each incident with the scenario whose address it is about, whatever triage says', async () => {
    const T = Date.UTC(2026, 9, 5, 1);
    const line = (s: number, msg: string) =>
      `${new Date(T + s * 1000).toISOString()} web1 sshd[${1000 + s}]: ${msg}`;
    const guesser: Scenario = {
      id: 't-guesser',
      kind: 'bruteforce',
      variant: 'generic',
      label: 'malicious',
      reason: 'r',
      sources: ['203.0.113.7'],
      intel: {},
    };
    // Benign by the scenario, though it looks like a compromise to the rules.
    const admin: Scenario = {
      ...guesser,
      id: 't-admin',
      kind: 'admin-typos',
      label: 'benign',
      sources: ['198.51.100.8'],
    };
    const world: World = {
      id: 't',
      variant: 'generic',
      timezone: 'UTC',
      start: T,
      end: T + 600_000,
      scenarios: [guesser, admin],
      lines: [
        ...[0, 1, 2, 3, 4, 5].map((i) =>
          line(i * 5, `Failed password for root from 203.0.113.7 port ${4000 + i} ssh2`),
        ),
        ...[0, 1, 2].map((i) =>
          line(100 + i * 10, `Failed password for alice from 198.51.100.8 port ${5000 + i} ssh2`),
        ),
        line(140, 'Accepted password for alice from 198.51.100.8 port 5009 ssh2'),
      ],
    };
    const out = await runWorld(world);
    assert.deepEqual(
      out.map((x) => [x.scenario.id, x.incident.attacker, x.incident.kinds]),
      [
        ['t-guesser', '203.0.113.7', ['bruteforce']],
        ['t-admin', '198.51.100.8', ['compromise']],
      ],
    );
    // What triage reads: the stored events and what detection found.
    assert.deepEqual(
      out[1]!.input.events.map((e) => [e.result, e.user]),
      [
        ['fail', 'alice'],
        ['fail', 'alice'],
        ['fail', 'alice'],
        ['success', 'alice'],
      ],
    );
    assert.deepEqual(out[1]!.input.context.detected, ['compromise']);

    // An incident about an address no scenario acts from is a generator bug, not a record.
    await assert.rejects(
      runWorld({ ...world, scenarios: [admin] }),
      /incident #\d+ about 203\.0\.113\.7 has no scenario/,
    );
  });
});

describe('the scenarios dataset files', () => {
  it('label every record by its scenario, and keep each scenario on its side of the split', () => {
    for (const side of ['dev', 'test'] as const satisfies ScenarioSplit[]) {
      assert.ok(files[side].records.length >= 80, `${side}: ${files[side].records.length}`);
      for (const r of files[side].records) {
        const s = scenarioOf(r.id);
        assert.ok(s !== undefined, `${r.id} names no scenario`);
        assert.equal(split.get(s.id), side, `${r.id} is in ${side}`);
        assert.equal(r.label, s.label, r.id);
        assert.equal(r.label, SCENARIO_KINDS[s.kind].label, r.id);
        assert.deepEqual(r.tags, [s.kind, s.variant]);
        assert.ok(s.sources.includes(r.input.ip), `${r.id}: ${r.input.ip} is not ${s.id}'s`);
      }
      const labels = new Set(files[side].records.map((r) => r.label));
      assert.deepEqual([...labels].sort(), ['benign', 'malicious', 'suspicious'], side);
    }
  });

  it('split every kind and variant to both sides, the same whatever the order', () => {
    const all = [...scenarios.values()];
    for (const kind of Object.keys(SCENARIO_KINDS))
      for (const side of ['dev', 'test'])
        assert.ok(
          all.some((s) => s.kind === kind && split.get(s.id) === side),
          `${kind} in ${side}`,
        );
    assert.deepEqual(splitScenarios([...all].reverse()), split);
    assert.notDeepEqual(splitScenarios(all, 1), split);
  });

  it('use documentation addresses outside and private ones inside, as the context says', () => {
    const doc = new CidrSet(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']);
    const internal = trustedNetworks();
    for (const r of [...files.dev.records, ...files.test.records]) {
      const ip = parseIp(r.input.ip.replace(/\/\d+$/, ''));
      assert.ok(ip !== null, r.input.ip);
      if (r.input.context.internal) assert.ok(internal.has(ip), `${r.input.ip} is marked internal`);
      else assert.ok(doc.has(ip), `${r.input.ip} is not a documentation address`);
    }
  });
});

describe('the sealed test split', () => {
  const sealed = scenarioFile(DATASET_DIR, 'test');

  it('is byte for byte the file that was sealed', () => {
    const sha = createHash('sha256').update(readFileSync(sealed)).digest('hex');
    assert.equal(
      sha,
      SEALED_TEST_SHA256,
      'datasets/scenarios-test.jsonl changed: restore it, or reseal as datasets/README.md says',
    );
    checkSeal(sealed);
  });

  it('is refused by eval once changed, and the dataset has no train split', () => {
    for (const part of ['dev', 'test'] as const)
      copyFileSync(scenarioFile(DATASET_DIR, part), scenarioFile(tmp, part));
    const text = readFileSync(scenarioFile(tmp, 'test'), 'utf8');
    // One record relabelled: the kind of edit the seal is there to catch.
    writeFileSync(
      scenarioFile(tmp, 'test'),
      text.replace('"label":"benign"', '"label":"malicious"'),
    );
    assert.throws(() => chooseTriage('scenarios', 'test', tmp), UnsealedError);
    assert.throws(() => chooseTriage('scenarios', 'all', tmp), UnsealedError);
    // dev is not sealed, and reading it does not read the test file.
    assert.equal(chooseTriage('scenarios', 'dev', tmp).records.length, files.dev.records.length);
    assert.throws(() => chooseTriage('scenarios', 'train', tmp), NoSplitError);
  });
});
