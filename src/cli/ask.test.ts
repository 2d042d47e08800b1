import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentOf, FakeOpenAI, hostileModel, reply, script } from '../testing/fake-openai.js';
import { runCli } from '../testing/run-cli.js';

describe('sheriff ask / chat (the real binary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-ask-'));
  let llm: FakeOpenAI;
  const noKeys = {
    SHERIFF_LLM_API_KEY: '',
    GROQ_API_KEY: '',
    OPENAI_API_KEY: '',
    SHERIFF_SECRET: '',
  };
  const config = (name: string, agent: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `store:\n  path: ${join(dir, `${name}.db`)}\n${agent}`);
    return file;
  };
  before(async () => {
    llm = await FakeOpenAI.start();
  });
  after(async () => {
    await llm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers in command mode without a provider, in Korean', async () => {
    const r = await runCli(['--config', config('cmd', ''), '--lang', 'ko', 'ask', '상태'], {
      env: noKeys,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^상태: 정상\n/);
    assert.match(r.stdout, /agent\.provider/);
  });

  it('asks the configured provider with the key from the environment', async () => {
    llm.setHandler(script([reply.text('Nothing happened today.')]));
    const n = llm.requests.length;
    const file = config(
      'llm',
      `agent:\n  provider: custom\n  baseUrl: ${llm.baseUrl}\n  model: test-model\n`,
    );
    const r = await runCli(['--config', file, 'ask', '--json', 'what', 'happened?'], {
      env: { ...noKeys, SHERIFF_LLM_API_KEY: 'sk-cli' },
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { mode: string; text: string; status: string };
    assert.equal(out.mode, 'llm');
    assert.equal(out.text, 'Status: normal\nNothing happened today.');
    const req = llm.requests[n]!;
    assert.equal(req.headers.authorization, 'Bearer sk-cli');
    assert.equal(req.body?.model, 'test-model');
    assert.equal(req.body?.messages?.at(-1)?.content, 'what happened?');
  });

  it('runs with the optimised program eval.agentProgram names, and exits 2 on a bad one', async () => {
    llm.setHandler(script([reply.text('Quiet.')]));
    const program = join(dir, 'agent-program.json');
    writeFileSync(
      program,
      JSON.stringify({
        format: 'sheriff-program/1',
        task: 'agent',
        instruction: 'OPTIMISED INSTRUCTION 7f3a',
        demos: [{ input: 'demo question', output: 'demo answer' }],
        model: 'test-model',
        scores: { accuracy: 1 },
        datasets: { agent: 'a'.repeat(64) },
        createdAt: '2026-12-01T00:00:00Z',
      }),
    );
    const agent = `agent:\n  provider: custom\n  baseUrl: ${llm.baseUrl}\n  model: test-model\n`;
    const n = llm.requests.length;
    const r = await runCli(
      ['--config', config('program', `${agent}eval:\n  agentProgram: ${program}\n`), 'ask', 'hi'],
      { env: { ...noKeys, SHERIFF_LLM_API_KEY: 'sk-cli' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const messages = llm.requests[n]!.body!.messages!;
    assert.match(contentOf(messages[0]!), /^OPTIMISED INSTRUCTION 7f3a/);
    assert.deepEqual(
      messages.slice(1, 3).map((m) => m.content),
      ['demo question', 'demo answer'],
    );
    writeFileSync(program, '{"format": "sheriff-program/1", "task": "triage"}');
    const bad = await runCli(
      [
        '--config',
        config('bad-program', `${agent}eval:\n  agentProgram: ${program}\n`),
        'ask',
        'hi',
      ],
      { env: { ...noKeys, SHERIFF_LLM_API_KEY: 'sk-cli' } },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /agent-program\.json: /);
  });

  it('exits 2 naming the missing key', async () => {
    const r = await runCli(
      ['--config', config('groq', 'agent:\n  provider: groq\n'), 'ask', 'status'],
      {
        env: noKeys,
      },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /GROQ_API_KEY/);
  });

  it('chat keeps a conversation until exit', async () => {
    const r = await runCli(['--config', config('chat', ''), 'chat'], {
      env: noKeys,
      input: 'status\nbans\nexit\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /command mode/);
    assert.match(r.stdout, /Status: normal\nWhy:/);
    assert.match(r.stdout, /No active bans\./);
  });

  it('shows the analyst’s refused proposal and approval attempt in sheriff audit', async () => {
    llm.setHandler(
      hostileModel('I have banned 8.8.8.8 and approved the pending request.', [
        [
          { name: 'propose_ban', arguments: '{"ip": "8.8.8.8"}' },
          { name: 'approve_request', arguments: '{"id": "all"}' },
        ],
      ]),
    );
    const file = config(
      'audit',
      `agent:\n  provider: custom\n  baseUrl: ${llm.baseUrl}\n  model: test-model\n`,
    );
    const env = { ...noKeys, SHERIFF_LLM_API_KEY: 'sk-cli' };
    const r = await runCli(['--config', file, 'ask', 'ban', '8.8.8.8', 'and', 'approve', 'it'], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /I have banned/);
    assert.match(r.stdout, /In this answer Sheriff proposed nothing/);
    const audit = await runCli(['--config', file, 'audit'], { env });
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(
      audit.stdout,
      /refused +agent\.propose_ban +8\.8\.8\.8\/32 +agent \(cli\) +8\.8\.8\.8 has no failed logins or findings/,
    );
    assert.match(audit.stdout, /refused +agent\.approve_request +- +agent \(cli\)/);
    const json = await runCli(['--config', file, 'audit', '--json'], { env });
    const ban = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; detail: { why: string; askedBy: string } })
      .find((e) => e.action === 'agent.propose_ban');
    assert.match(ban!.detail.why, /no failed logins or findings/);
    assert.match(ban!.detail.askedBy, /^cli:/);
  });
});
