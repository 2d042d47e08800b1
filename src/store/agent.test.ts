import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from './index.js';
import { T0 } from './testing.js';

describe('AgentStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-agent-store-'));
  const store = openStore(join(dir, 's.db'));
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only the newest messages of each conversation', () => {
    for (let i = 0; i < 7; i++) {
      store.agent.addMessage(
        'a',
        { role: i % 2 ? 'assistant' : 'user', content: `m${i}`, createdAt: T0 + i },
        4,
      );
    }
    store.agent.addMessage('b', { role: 'user', content: 'other', createdAt: T0 }, 4);
    assert.deepEqual(
      store.agent.history('a', 100).map((m) => m.content),
      ['m3', 'm4', 'm5', 'm6'],
    );
    assert.deepEqual(
      store.agent.history('a', 2).map((m) => m.content),
      ['m5', 'm6'],
    );
    assert.deepEqual(
      store.agent.history('b', 10).map((m) => m.content),
      ['other'],
    );
  });

  it('records a run with its tool calls and stops', () => {
    const id = store.agent.startRun({
      conversation: 'a',
      channel: 'cli',
      identity: 'root',
      mode: 'llm',
      model: 'm',
      question: 'q',
      startedAt: T0,
    });
    assert.equal(store.agent.run(id)!.outcome, 'running');
    store.agent.addToolCall({
      runId: id,
      step: 1,
      callId: 'c1',
      name: 'propose_ban',
      arguments: '{"ip": ',
      outcome: 'invalid-args',
      result: '{"error":"…"}',
      latencyMs: 1.6,
      createdAt: T0 + 5,
    });
    store.agent.endRun(id, {
      answer: 'a',
      status: 'danger',
      outcome: 'stopped',
      stops: [{ code: 'loop-detected', detail: 'x' }],
      steps: 3,
      inputTokens: 10,
      outputTokens: 2,
      endedAt: T0 + 9,
    });
    const run = store.agent.run(id)!;
    assert.equal(run.outcome, 'stopped');
    assert.equal(run.status, 'danger');
    assert.deepEqual(run.stops, [{ code: 'loop-detected', detail: 'x' }]);
    assert.deepEqual(
      store.agent.toolCalls(id).map((c) => [c.name, c.outcome, c.arguments, c.latencyMs]),
      [['propose_ban', 'invalid-args', '{"ip": ', 2]],
    );
    assert.equal(store.agent.recentRuns(1)[0]!.id, id);
  });

  it('adds usage per UTC day and conversation', () => {
    store.agent.addUsage('a', T0, 100, 10);
    store.agent.addUsage('a', T0 + 1000, 50, 5);
    store.agent.addUsage('b', T0, 7, 3);
    store.agent.addUsage('a', T0 + 86_400_000, 1, 1);
    assert.deepEqual(store.agent.usage(T0, 'a'), { inputTokens: 150, outputTokens: 15, calls: 2 });
    assert.deepEqual(store.agent.usage(T0), { inputTokens: 157, outputTokens: 18, calls: 3 });
    assert.deepEqual(store.agent.usage(T0, 'nobody'), {
      inputTokens: 0,
      outputTokens: 0,
      calls: 0,
    });
    assert.equal(store.agent.usage(T0 + 86_400_000, 'a').calls, 1);
  });
});
