/**
 * `sheriff eval` and `sheriff optimize` as a user runs them (the real
 * bin/sheriff), with the scripted OpenAI-compatible server as the model.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../eval/dataset.js';
import { DATASET_DIR } from '../eval/generate-datasets.js';
import { scenarioFile, SEALED_TEST_SHA256 } from '../eval/scenario-dataset.js';
import { splitDataset } from '../eval/split.js';
import { GOOD_INSTRUCTION, triageModel } from '../testing/eval-model.js';
import { FakeOpenAI } from '../testing/fake-openai.js';
import { runCli } from '../testing/run-cli.js';

const { records } = loadDataset(join(DATASET_DIR, 'triage.jsonl'), 'triage');

let dir: string;
let fake: FakeOpenAI;
let config: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-eval-cli-'));
  fake = await FakeOpenAI.start(triageModel(records));
  config = join(dir, 'sheriff.yaml');
  await writeFile(
    config,
    `agent:\n  provider: custom\n  baseUrl: ${fake.baseUrl}\n  model: fake-model\n  maxRetries: 0\n` +
      `eval:\n  price: { input: 1, output: 2 }\n  cache: ${join(dir, 'cache')}\n`,
  );
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

interface EvalJson {
  task: string;
  split: string;
  records: number;
  program: { kind: string; model: string | null };
  report: {
    accuracy: number;
    calls: number;
    cachedCalls: number;
    cost: number;
    inputTokens: number;
  };
}

describe('sheriff eval', () => {
  it('scores the deterministic triage on the test split, n/a where a figure does not apply', async () => {
    const r = await runCli(['eval', 'triage', '--dataset', 'cases', '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    const test = splitDataset(records).test.length;
    assert.match(
      r.stdout,
      new RegExp(
        `^triage on the test split of the cases dataset \\(${test} records\\): the deterministic rules\\n`,
      ),
    );
    assert.match(r.stdout, /\n {2}recall, malicious +\d+\.\d%\n/);
    assert.match(r.stdout, /\n {2}tool trajectory +n\/a\n/);
    assert.match(r.stdout, /\n {2}cost +\$0\.0000\n/);
    const ko = await runCli([
      '--lang',
      'ko',
      'eval',
      'triage',
      '--config',
      config,
      '--split',
      'dev',
    ]);
    assert.match(ko.stdout, /^triage, cases 데이터셋, dev 분할 \(\d+건\): 결정적 규칙\n/);
    assert.match(ko.stdout, /\ntriage, scenarios 데이터셋, dev 분할 \(\d+건\): 결정적 규칙\n/);
    assert.match(ko.stdout, /도구 사용 경로 점수 +해당 없음/);
  });

  it('scores a model, and a second run is answered from the cache without one request', async () => {
    const args = [
      'eval',
      'triage',
      '--llm',
      '--split',
      'dev',
      '--json',
      '--config',
      config,
      '--dataset',
      'cases',
    ];
    const sent = fake.requests.length;
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout) as EvalJson;
    const dev = splitDataset(records).dev;
    assert.equal(a.records, dev.length);
    assert.equal(fake.requests.length - sent, dev.length);
    // The scripted model says "malicious" to everything under the built-in instruction.
    assert.equal(a.report.accuracy, dev.filter((r) => r.label === 'malicious').length / dev.length);
    assert.deepEqual(a.program, { kind: 'builtin', path: null, model: 'fake-model' });
    // 200 input and 30 output tokens an answer, at 1 and 2 per million.
    assert.equal(a.report.cost, (dev.length * 200 * 1 + dev.length * 30 * 2) / 1e6);

    const second = await runCli(args);
    const b = JSON.parse(second.stdout) as EvalJson;
    assert.equal(fake.requests.length - sent, dev.length, 'the second run asked the model');
    assert.equal(b.report.cachedCalls, dev.length);
    assert.equal(b.report.accuracy, a.report.accuracy);
  });

  it('shows what it got wrong: misses with cleaned attacker text, a confusion matrix, per-label counts', async () => {
    // Two records relabelled so the rules must disagree; one carries a hostile user name.
    const [m, b] = [
      records.find((r) => r.label === 'malicious' && r.input.events.some((e) => e.user))!,
      records.find((r) => r.label === 'benign')!,
    ];
    const hostile = 'ad\x1b[2Jmin\u202e';
    const wrongM = {
      ...m,
      id: 'relabelled-malicious',
      label: 'benign',
      input: { ...m.input, events: m.input.events.map((e) => ({ ...e, user: e.user && hostile })) },
    };
    const wrongB = { ...b, id: 'relabelled-benign', label: 'suspicious' };
    const file = join(dir, 'with-misses.jsonl');
    await writeFile(file, [...records, wrongM, wrongB].map((r) => JSON.stringify(r)).join('\n'));
    const total = records.length + 2;

    const text = await runCli([
      'eval',
      'triage',
      '--dataset',
      file,
      '--split',
      'all',
      '--show-misses',
      '--config',
      config,
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^triage on the all split of \\S+with-misses\\.jsonl \\(${total} records\\)`),
    );
    assert.match(text.stdout, /\nrecords answered wrongly: 2\n/);
    assert.match(
      text.stdout,
      /\n {2}relabelled-malicious {2}expected benign, got malicious {2}"ad\[2Jmin"\n/,
    );
    assert.match(
      text.stdout,
      /\n {2}relabelled-benign {2}expected suspicious, got benign( {2}"[^"]*")*\n/,
    );
    assert.doesNotMatch(text.stdout, /[\x1b\u202e]/);
    const count = (label: string) => records.filter((r) => r.label === label).length;
    assert.match(
      text.stdout,
      /\nconfusion matrix \(rows: expected, columns: answer\)\n +malicious +suspicious +benign +unreadable\n/,
    );
    assert.match(text.stdout, new RegExp(`\\n {2}malicious +${count('malicious')} +0 +0 +0\\n`));
    assert.match(text.stdout, new RegExp(`\\n {2}suspicious +0 +${count('suspicious')} +1 +0\\n`));
    assert.match(text.stdout, new RegExp(`\\n {2}benign +1 +0 +${count('benign')} +0\\n`));

    const json = await runCli([
      'eval',
      'triage',
      '--dataset',
      file,
      '--split',
      'all',
      '--show-misses',
      '--json',
      '--config',
      config,
    ]);
    const out = JSON.parse(json.stdout) as EvalJson & {
      misses: { id: string; expected: string; got: string; text: string[] }[];
      report: { perLabel: Record<string, { support: number; precision: number; recall: number }> };
    };
    assert.equal(out.records, total);
    assert.deepEqual(out.misses.map((x) => [x.id, x.expected, x.got, x.text]).sort(), [
      [
        'relabelled-benign',
        'suspicious',
        'benign',
        [...new Set(b.input.events.map((e) => e.user))],
      ],
      ['relabelled-malicious', 'benign', 'malicious', [hostile]],
    ]);
    assert.deepEqual(out.report.perLabel.benign, {
      support: count('benign') + 1,
      predicted: count('benign') + 1,
      correct: count('benign'),
      precision: count('benign') / (count('benign') + 1),
      recall: count('benign') / (count('benign') + 1),
    });
    assert.equal(
      out.report.perLabel.malicious!.precision,
      count('malicious') / (count('malicious') + 1),
    );
    assert.equal(
      out.report.perLabel.suspicious!.recall,
      count('suspicious') / (count('suspicious') + 1),
    );
  });

  it('refuses a bad split, task or dataset with exit status 2 and says why', async () => {
    const split = await runCli(['eval', 'triage', '--split', 'validation', '--config', config]);
    assert.equal(split.code, 2);
    assert.match(split.stderr, /unknown split "validation"/);
    const task = await runCli(['eval', 'phishing', '--config', config]);
    assert.equal(task.code, 2);
    assert.match(task.stderr, /unknown task "phishing"/);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(records[0])}\n{"id": "x"}\n`);
    const ds = await runCli(['eval', 'triage', '--dataset', bad, '--config', config]);
    assert.equal(ds.code, 2);
    assert.match(
      ds.stderr,
      /The dataset has errors; nothing was scored:\n {2}bad\.jsonl:2: input: /,
    );
  });
});

describe('sheriff eval on the two triage datasets', () => {
  const scenarios = {
    dev: loadDataset(scenarioFile(DATASET_DIR, 'dev'), 'triage'),
    test: loadDataset(scenarioFile(DATASET_DIR, 'test'), 'triage'),
  };
  const casesDev = splitDataset(records).dev.length;

  interface Line extends EvalJson {
    dataset: { name: string; files: { path: string; sha256: string }[] };
    report: EvalJson['report'] & { confusion: unknown; perLabel: unknown };
  }

  it('reports both unless one is chosen, each with its confusion matrix', async () => {
    const text = await runCli(['eval', 'triage', '--split', 'dev', '--config', config]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^triage on the dev split of the cases dataset \\(${casesDev} records\\)`),
    );
    assert.match(
      text.stdout,
      new RegExp(
        `\\n\\ntriage on the dev split of the scenarios dataset \\(${scenarios.dev.records.length} records\\): the deterministic rules\\n`,
      ),
    );
    assert.equal(text.stdout.match(/\nconfusion matrix /g)?.length, 2);

    const json = await runCli(['eval', 'triage', '--split', 'dev', '--json', '--config', config]);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.deepEqual(
      lines.map((l) => [l.dataset.name, l.records]),
      [
        ['cases', casesDev],
        ['scenarios', scenarios.dev.records.length],
      ],
    );
    assert.deepEqual(lines[1]!.dataset.files, [
      { path: scenarios.dev.path, sha256: scenarios.dev.sha256 },
    ]);
    assert.ok(lines[1]!.report.confusion !== undefined && lines[1]!.report.perLabel !== undefined);
  });

  it('reads the sealed test file only for the test split, and has no train split', async () => {
    const run = (...args: string[]) =>
      runCli(['eval', 'triage', '--dataset', 'scenarios', '--json', '--config', config, ...args]);
    const dev = JSON.parse((await run('--split', 'dev')).stdout) as Line;
    assert.deepEqual(dev.dataset.files, [
      { path: scenarios.dev.path, sha256: scenarios.dev.sha256 },
    ]);
    // The figures on test are for people to read once the rules are done (datasets/README.md).
    const test = JSON.parse((await run('--split', 'test')).stdout) as Line;
    assert.equal(test.records, scenarios.test.records.length);
    assert.deepEqual(test.dataset.files, [
      { path: scenarios.test.path, sha256: SEALED_TEST_SHA256 },
    ]);
    const train = await run('--split', 'train');
    assert.equal(train.code, 2);
    assert.match(train.stderr, /the scenarios dataset has no train split/);
    const agent = await runCli(['eval', 'agent', '--dataset', 'scenarios', '--config', config]);
    assert.equal(agent.code, 2);
    assert.match(agent.stderr, /holds triage records only/);
    // Both by default: on train, the cases alone, and it says so.
    const both = await runCli(['eval', 'triage', '--split', 'train', '--config', config]);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(both.stdout.match(/\ntriage on the train split of/g), null);
    assert.match(both.stdout, /only the cases dataset was scored\)\n$/);
  });
});

describe('sheriff optimize', () => {
  it('writes a program and a trial log that sheriff eval then uses', async () => {
    const out = join(dir, 'triage-program.json');
    const r = await runCli([
      'optimize', 'triage', '--config', config, '--out', out,
      '--trials', '6', '--minibatch', '8', '--demos', '2', '--instructions', '3', '--seed', '4',
    ]); // prettier-ignore
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Wrote .*triage-program\.json: dev score 1\.000 \(the built-in program: 0\.\d+\)/,
    );
    const program = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    assert.equal(program.format, 'sheriff-program/1');
    assert.equal(program.task, 'triage');
    assert.equal(program.instruction, GOOD_INSTRUCTION);
    assert.equal(program.model, 'fake-model');
    assert.equal((program.scores as Record<string, number>)['dev.accuracy'], 1);
    const sha = loadDataset(join(DATASET_DIR, 'triage.jsonl'), 'triage').sha256;
    assert.deepEqual(program.datasets, { triage: sha });
    const log = (await readFile(join(dir, 'triage-program.trials.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    assert.equal(
      log.map((l) => (JSON.parse(l) as { phase: string }).phase).filter((p) => p === 'minibatch')
        .length,
      6,
    );

    const evaluated = await runCli([
      'eval',
      'triage',
      '--program',
      out,
      '--dataset',
      'cases',
      '--json',
      '--config',
      config,
    ]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const e = JSON.parse(evaluated.stdout) as EvalJson;
    assert.equal(e.report.accuracy, 1);
    assert.equal(e.program.kind, 'file');

    const wrongTask = await runCli(['eval', 'agent', '--program', out, '--config', config]);
    assert.equal(wrongTask.code, 2);
    assert.match(wrongTask.stderr, /a triage program, not a agent one/);
  });
});
