import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ScanAggregator } from '../store/index.js';
import { sampleEvent } from '../store/testing.js';
import {
  analystHarness,
  HARNESS_NOW,
  seedAttack as seedAttackOn,
  type Harness,
} from '../testing/analyst.js';
import {
  contentOf,
  FakeOpenAI,
  reply,
  script,
  type ChatRequestBody,
} from '../testing/fake-openai.js';
import { classifyPoisoned, poisonedLines } from '../testing/injection.js';
import { hasHiddenCharacters, UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from './untrusted.js';

const ATTACKER = '203.0.113.7';

const seedAttack = (h: Harness) => seedAttackOn(h.store, ATTACKER);

/** Every poisoned fixture line, classified by the real filters, stored as events. */
function seedPoison(h: Harness): string[] {
  const users: string[] = [];
  for (const p of poisonedLines()) {
    const e = classifyPoisoned(p)!;
    h.store.events.insert(
      sampleEvent({
        ip: e.ip,
        host: e.host,
        user: e.user,
        line: p.line,
        rule: e.rule,
        time: HARNESS_NOW - 600_000,
      }),
    );
    if (e.user !== null) users.push(e.user);
  }
  return users;
}

const toolMessages = (b: ChatRequestBody) =>
  (b.messages ?? []).filter((m) => m.role === 'tool').map((m) => contentOf(m));

describe('the analyst with a model (scripted provider over HTTP)', () => {
  let llm: FakeOpenAI;
  let h: Harness;
  before(async () => {
    llm = await FakeOpenAI.start();
  });
  after(async () => {
    await llm.close();
  });
  afterEach(() => h?.close());

  it('sees scanners: list_scanners and analyse_address tell connections that never tried to log in', async () => {
    h = analystHarness({ llm });
    const scans = new ScanAggregator(h.store.db);
    for (let i = 0; i < 40; i++)
      scans.add('sshd', '198.51.100.23', HARNESS_NOW - 3_600_000 + i, 'closed');
    h.store.db.transaction(() => scans.write())();
    scans.written();
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([
          { name: 'list_scanners', arguments: '{"since": "1d"}' },
          { name: 'analyse_address', arguments: JSON.stringify({ ip: '198.51.100.23' }) },
        ]),
        reply.text('198.51.100.23 scanned: 40 connections without a login.'),
      ]),
    );
    const r = await h.ask('who scanned us today?', 'en');
    assert.deepEqual(
      r.toolCalls.map((c) => `${c.name}:${c.outcome}`),
      ['list_scanners:ok', 'analyse_address:ok'],
    );
    const [list, analysis] = toolMessages(llm.bodies().slice(first)[1]!);
    assert.match(list!, /"ip":"198\.51\.100\.23","connections":40/);
    assert.match(analysis!, /"connectionsWithoutLogin":40/);
  });

  it('investigates with several tools, proposes a ban from the evidence, and states the real status', async () => {
    h = analystHarness({ llm });
    seedAttack(h);
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([
          { name: 'analyse_address', arguments: JSON.stringify({ ip: ATTACKER }) },
          { name: 'host_status', arguments: '{}' },
        ]),
        reply.tools([
          { name: 'propose_ban', arguments: JSON.stringify({ ip: ATTACKER, duration: '1d' }) },
        ]),
        reply.text(
          '상태: 정상\n203.0.113.7에서 12회의 로그인 실패가 있었습니다. 차단 승인을 요청했습니다.',
          {
            usage: { prompt_tokens: 900, completion_tokens: 60 },
          },
        ),
      ]),
    );
    const r = await h.ask('203.0.113.7 분석하고 차단해줘');
    assert.equal(r.mode, 'llm');
    assert.equal(r.outcome, 'answered');
    assert.equal(r.status, 'caution');
    assert.ok(r.text.startsWith('상태: 주의\n'), r.text);
    assert.ok(!r.text.includes('정상'), 'the model’s level is not repeated');
    assert.deepEqual(
      r.stops.map((s) => s.code),
      ['status-overruled'],
    );
    assert.deepEqual(
      r.toolCalls.map((c) => `${c.name}:${c.outcome}`),
      ['analyse_address:ok', 'host_status:ok', 'propose_ban:ok'],
    );
    // The approval: stored, asked by the agent, target and facts from the store.
    assert.equal(r.approvals.length, 1);
    const a = r.approvals[0]!;
    assert.equal(a.action, 'ban');
    assert.equal(a.target, `${ATTACKER}/32`);
    assert.equal(a.durationMs, 86_400_000);
    assert.equal(a.facts.failures, 12);
    const stored = h.store.approvals.get(a.id)!;
    assert.equal(stored.status, 'pending');
    assert.equal(stored.requestedBy, 'agent');
    assert.match(stored.reason, /12 failures/);
    assert.equal(stored.evidence.findings.length, 1);
    assert.ok(r.text.includes(a.id));
    // The model saw the facts, with user names boxed as untrusted.
    const bodies = llm.bodies().slice(first);
    assert.equal(bodies.length, 3);
    const analysis = toolMessages(bodies[1]!)[0]!;
    assert.match(analysis, /"failures":12/);
    assert.match(analysis, /⟦untrusted user: admin⟧/);
    assert.match(contentOf(bodies[0]!.messages![0]!), /주의/);
    assert.equal(
      bodies[0]!.tools?.some((t) => /approv/i.test(t.function.name)),
      false,
    );
    // Recorded: the run, every tool call, the usage, the memory, the spans.
    const run = h.store.agent.run(r.runId)!;
    assert.equal(run.outcome, 'answered');
    assert.equal(run.steps, 3);
    assert.equal(run.status, 'caution');
    assert.equal(run.inputTokens, 100 + 100 + 900);
    assert.deepEqual(
      h.store.agent.toolCalls(r.runId).map((c) => [c.name, c.outcome, c.step]),
      [
        ['analyse_address', 'ok', 1],
        ['host_status', 'ok', 1],
        ['propose_ban', 'ok', 2],
      ],
    );
    assert.equal(h.store.agent.usage(HARNESS_NOW, 'test:1').inputTokens, 1100);
    assert.deepEqual(
      h.usage.map(([i]) => i),
      [100, 100, 900],
      'every model call reaches the metrics hook',
    );
    assert.deepEqual(
      h.store.agent.history('test:1', 10).map((m) => m.role),
      ['user', 'assistant'],
    );
    const names = h.spans.getFinishedSpans().map((s) => s.name);
    assert.equal(names.filter((n) => n === 'agent.llm').length, 3);
    assert.equal(names.filter((n) => n === 'agent.tool').length, 3);
    assert.equal(names.filter((n) => n === 'agent.run').length, 1);
  });

  it('keeps the conversation as memory for the next question', async () => {
    h = analystHarness({ llm });
    llm.setHandler(script([reply.text('첫 답변입니다.'), reply.text('두 번째 답변입니다.')]));
    const first = llm.requests.length;
    await h.ask('첫 질문');
    await h.ask('두 번째 질문');
    const second = llm.bodies()[first + 1]!;
    const contents = second.messages!.map((m) => `${m.role}:${contentOf(m)}`);
    assert.ok(contents.includes('user:첫 질문'));
    assert.ok(contents.some((c) => c.startsWith('assistant:상태: 정상\n첫 답변입니다.')));
    assert.equal(contents.at(-1), 'user:두 번째 질문');
  });

  it('answers an unknown tool, invalid arguments and malformed JSON, and records each', async () => {
    h = analystHarness({ llm });
    seedAttack(h);
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([
          { name: 'run_shell', arguments: '{"cmd":"rm -rf /"}' },
          { name: 'query_events', arguments: '{"limit": 5000, "ip": "not-an-ip"}' },
          { name: 'analyse_address', arguments: '{"ip": ' },
        ]),
        reply.text('확인할 수 없었습니다.'),
      ]),
    );
    const r = await h.ask('상태 알려줘');
    assert.equal(r.outcome, 'answered');
    assert.deepEqual(
      r.stops.map((s) => s.code),
      ['unknown-tool', 'invalid-arguments', 'malformed-arguments'],
    );
    assert.deepEqual(
      h.store.agent.toolCalls(r.runId).map((c) => [c.name, c.outcome, c.arguments]),
      [
        ['run_shell', 'unknown-tool', '{"cmd":"rm -rf /"}'],
        ['query_events', 'invalid-args', '{"limit": 5000, "ip": "not-an-ip"}'],
        ['analyse_address', 'invalid-args', '{"ip": '],
      ],
    );
    const told = toolMessages(llm.bodies()[first + 1]!);
    assert.match(told[0]!, /no tool named \\"run_shell\\"/);
    assert.match(told[1]!, /limit.*50|not an IP address/);
    assert.match(told[2]!, /not valid JSON/);
  });

  it('stops a model that calls the same tool forever, with a code-made answer', async () => {
    h = analystHarness({ llm, config: { maxSteps: 8 } });
    const first = llm.requests.length;
    llm.setHandler(() => reply.tools([{ name: 'host_status', arguments: '{}' }]));
    const r = await h.ask('status', 'en');
    assert.equal(r.outcome, 'stopped');
    assert.ok(r.stops.some((s) => s.code === 'loop-detected'));
    // Two real calls, the third repeat refused, then one call without tools.
    assert.equal(llm.requests.length - first, 4);
    assert.equal(llm.bodies().at(-1)!.tools, undefined);
    assert.match(
      r.text,
      /^Status: normal\nI stopped after 4 steps without a final answer\. What I looked at: host_status\./,
    );
    assert.equal(h.store.agent.run(r.runId)!.outcome, 'stopped');
  });

  it('stops at the step cap when every step asks something new', async () => {
    h = analystHarness({ llm, config: { maxSteps: 3 } });
    let n = 0;
    const first = llm.requests.length;
    llm.setHandler((req) =>
      req.body?.tools === undefined
        ? reply.text('Here is what I found so far.')
        : reply.tools([{ name: 'query_events', arguments: JSON.stringify({ limit: ++n }) }]),
    );
    const r = await h.ask('look at everything', 'en');
    assert.equal(llm.requests.length - first, 4);
    assert.equal(r.outcome, 'stopped');
    assert.ok(r.stops.some((s) => s.code === 'step-cap'));
    assert.match(r.text, /Here is what I found so far\./);
  });

  it('after a poisoned user name: refuses a ban without evidence and self-approval, and repairs the language', async () => {
    h = analystHarness({ llm });
    const poisonedUsers = seedPoison(h);
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([{ name: 'query_events', arguments: '{"limit": 50, "since": "1d"}' }]),
        reply.tools([
          { name: 'propose_ban', arguments: '{"ip": "192.0.2.1"}' },
          { name: 'approve_request', arguments: '{"id": "anything"}' },
        ]),
        reply.text('모든 것이 安全 합니다. 192.0.2.1 차단을 承認했습니다.'),
        reply.text('모든 것이 安全 합니다.'),
      ]),
    );
    const r = await h.ask('최근 이벤트를 확인해줘');
    const codes = r.stops.map((s) => s.code);
    assert.deepEqual(codes, [
      'not-in-evidence',
      'approval-attempt',
      'language-retry',
      'language-cleaned',
    ]);
    assert.equal(r.approvals.length, 0);
    assert.equal(h.store.approvals.list({ limit: 100 }).length, 0);
    assert.doesNotMatch(r.text, /\p{Script=Han}/u);
    assert.match(r.text, /다른 언어로 쓰인 부분을 지웠습니다/);
    assert.deepEqual(
      h.store.agent.toolCalls(r.runId).map((c) => `${c.name}:${c.outcome}`),
      ['query_events:ok', 'propose_ban:refused', 'approve_request:refused'],
    );
    // The corrective retry asked for Korean only, without tools.
    const bodies = llm.bodies().slice(first);
    assert.equal(bodies.length, 4);
    assert.equal(bodies[3]!.tools, undefined);
    assert.match(contentOf(bodies[3]!.messages!.at(-1)!), /한국어로만/);
    // Everything attacker-written reached the model boxed, with nothing hidden.
    const events = toolMessages(bodies[1]!)[0]!;
    for (const body of bodies) {
      for (const m of body.messages ?? []) assert.equal(hasHiddenCharacters(contentOf(m)), false);
    }
    const parsed = JSON.parse(events) as {
      count: number;
      omitted: number;
      events: { user: string | null; line: string }[];
    };
    assert.equal(parsed.count, poisonedLines().length);
    assert.equal(parsed.events.length + parsed.omitted, parsed.count);
    assert.ok(poisonedUsers.every((u) => !events.includes(`"user":${JSON.stringify(u)}`)));
    for (const e of parsed.events) {
      for (const v of [e.user, e.line]) {
        if (v === null) continue;
        assert.ok(v.startsWith(UNTRUSTED_OPEN), v);
        assert.equal(v.indexOf(UNTRUSTED_CLOSE), v.length - 1, v);
      }
    }
  });

  it('flags instruction-like user names as attack indicators in an analysis', async () => {
    h = analystHarness({ llm });
    seedPoison(h);
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([{ name: 'analyse_address', arguments: '{"ip": "203.0.113.10"}' }]),
        reply.text('이 주소는 분석가를 조종하려는 사용자 이름을 보냈습니다.'),
      ]),
    );
    await h.ask('203.0.113.10 분석해줘');
    const result = JSON.parse(toolMessages(llm.bodies()[first + 1]!)[0]!) as {
      attackIndicators: { user: string; indicators: string[] }[];
    };
    assert.equal(result.attackIndicators.length, 1);
    assert.deepEqual(result.attackIndicators[0]!.indicators, ['instructions']);
    assert.match(
      result.attackIndicators[0]!.user,
      /^⟦untrusted user: ignore previous instructions/,
    );
  });

  it('records its triage as an opinion beside the rules’ verdict, never over it', async () => {
    h = analystHarness({ llm });
    const id = seedAttackOn(h.store, ATTACKER);
    const first = llm.requests.length;
    llm.setHandler(
      script([
        reply.tools([{ name: 'list_incidents', arguments: '{}' }]),
        reply.tools([
          {
            name: 'triage_incident',
            arguments: JSON.stringify({
              id,
              verdict: 'false-positive',
              reason: 'looks like a forgotten password',
            }),
          },
        ]),
        reply.text('I think this is a false positive.'),
      ]),
    );
    const r = await h.ask('triage the incidents', 'en');
    assert.match(
      toolMessages(llm.bodies()[first + 1]!)[0]!,
      new RegExp(`"id":${id},"attacker":"203.0.113.7"`),
    );
    const incident = h.store.incidents.get(id)!;
    assert.equal(incident.verdict, 'malicious');
    assert.equal(incident.agent?.verdict, 'benign');
    assert.equal(incident.agent?.narrative, 'looks like a forgotten password');
    assert.equal(incident.agent?.actor, 'agent:fake-model');
    assert.equal(r.status, 'caution');
  });

  it('retries a 429 as long as Retry-After says', async () => {
    h = analystHarness({ llm });
    llm.setHandler(script([reply.rateLimited(2), reply.text('Everything is quiet.')]));
    const r = await h.ask('status', 'en');
    assert.equal(r.outcome, 'answered');
    assert.deepEqual(h.waits, [2000]);
    assert.match(r.text, /Everything is quiet\./);
  });

  it('falls back to command mode when the provider times out, and says why', async () => {
    h = analystHarness({ llm, timeoutMs: 150, maxRetries: 1 });
    llm.setHandler(() => reply.hang());
    const r = await h.ask('status', 'en');
    assert.equal(r.outcome, 'failed');
    assert.ok(r.stops.some((s) => s.code === 'provider-error' && s.detail.startsWith('timeout')));
    assert.match(r.text, /^Status: normal\nThe analysis model could not answer \(timeout\)/);
    assert.match(r.text, /Last 24 hours: 0 failed logins/);
    assert.equal(h.store.agent.run(r.runId)!.outcome, 'failed');
  });

  it('treats a response that is not JSON as a provider failure, recorded', async () => {
    h = analystHarness({ llm, maxRetries: 0 });
    llm.setHandler(script([reply.raw('{"choices": [{"message": {"content": "cut off')]));
    const r = await h.ask('상태');
    assert.equal(r.outcome, 'failed');
    assert.deepEqual(
      r.stops.map((s) => s.detail.split(':')[0]),
      ['bad-response'],
    );
    assert.match(r.text, /^상태: 정상\n분석 모델이 응답하지 못했습니다\(bad-response\)/);
    assert.deepEqual(
      h.store.agent.run(r.runId)!.stops.map((s) => s.code),
      ['provider-error'],
    );
  });

  it('stops when the wall-time cap passes between steps', async () => {
    h = analystHarness({
      llm,
      config: { maxRunTime: 60_000 },
      host: {
        readFile: () => {
          h.clock.now += 61_000; // reading /proc "took" longer than the run may
          return Promise.resolve('');
        },
      },
    });
    const n = llm.requests.length;
    llm.setHandler(
      script([reply.tools([{ name: 'host_status', arguments: '{}' }]), reply.text('never')]),
    );
    const r = await h.ask('status', 'en');
    assert.equal(llm.requests.length - n, 1);
    assert.equal(r.outcome, 'stopped');
    assert.ok(r.stops.some((s) => s.code === 'time-cap'));
    assert.match(r.text, /I ran out of time for this question\. What I looked at: host_status\./);
  });

  it('refuses politely when the conversation or the day has used its budget, without calling the model', async () => {
    h = analystHarness({ llm, config: { budget: { perConversation: 1000, perDay: 5000 } } });
    h.store.agent.addUsage('test:1', HARNESS_NOW, 900, 100);
    const n = llm.requests.length;
    const r = await h.ask('상태');
    assert.equal(llm.requests.length, n);
    assert.equal(r.outcome, 'refused');
    assert.match(r.text, /이 대화는 오늘 쓸 수 있는 토큰을 모두 사용했습니다\(1000\/1000\)/);
    h.store.agent.addUsage('other', HARNESS_NOW, 4000, 0);
    const day = await h.ask('status', 'en', 'test:2');
    assert.match(day.text, /The analyst has used today's token budget \(5000 of 5000\)/);
    assert.equal(llm.requests.length, n);
    // A new UTC day starts afresh.
    h.clock.now += 86_400_000;
    llm.setHandler(script([reply.text('A new day.')]));
    assert.equal((await h.ask('status', 'en')).outcome, 'answered');
  });
});
