import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRetryableStatus, retryAfterMs, withRetry, type Attempt } from './retry.js';

/** Answers the statuses in order (200: success), recording the waits asked for. */
function scripted(answers: { status: number | null; retryAfterMs?: number }[]) {
  const waits: number[] = [];
  let tries = 0;
  const attempt = (): Promise<Attempt<string, string>> => {
    const a = answers[tries++]!;
    return Promise.resolve(
      a.status === 200
        ? { ok: true, value: 'done' }
        : {
            ok: false,
            failure: `failure ${tries}`,
            status: a.status,
            retryAfterMs: a.retryAfterMs ?? null,
          },
    );
  };
  const options = {
    retries: 1,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    backoffMs: (n: number) => 100 * n,
    maxWaitMs: 5000,
  };
  return { attempt, options, waits, tries: () => tries };
}

describe('the shared retry rule', () => {
  it('retries 429 and 5xx, never another 4xx', () => {
    assert.deepEqual([429, 500, 502, 503, 400, 401, 403, 404, 408, 409].map(isRetryableStatus), [
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('reads Retry-After in seconds and as an HTTP date', () => {
    assert.equal(retryAfterMs('7', 0), 7000);
    assert.equal(retryAfterMs(' 1.5 ', 0), 1500);
    assert.equal(retryAfterMs(new Date(61_000).toUTCString(), 1000), 60_000);
    assert.equal(retryAfterMs(new Date(0).toUTCString(), 1000), 0);
    assert.equal(retryAfterMs('soon', 0), null);
    assert.equal(retryAfterMs(null, 0), null);
  });

  it('waits what the server asked, else the backoff, and tries `retries` more times only', async () => {
    const s = scripted([{ status: 429, retryAfterMs: 2000 }, { status: 503 }, { status: 200 }]);
    const r = await withRetry(s.attempt, { ...s.options, retries: 2 });
    assert.deepEqual([r.ok, r.attempts, s.waits], [true, 3, [2000, 200]]);
    const once = scripted([{ status: 500 }, { status: 500 }, { status: 200 }]);
    const failed = await withRetry(once.attempt, once.options);
    assert.deepEqual([failed.ok, failed.attempts, once.tries()], [false, 2, 2]);
    assert.equal(!failed.ok && failed.failure, 'failure 2');
  });

  it('does not retry a 4xx, a wait over the cap, or no answer unless asked to', async () => {
    for (const first of [
      { status: 404 },
      { status: 429, retryAfterMs: 60_000 },
      { status: null },
    ]) {
      const s = scripted([first, { status: 200 }]);
      const r = await withRetry(s.attempt, s.options);
      assert.deepEqual([r.ok, r.attempts, s.waits], [false, 1, []], JSON.stringify(first));
    }
    const s = scripted([{ status: null }, { status: 200 }]);
    const r = await withRetry(s.attempt, { ...s.options, retryUnanswered: () => true });
    assert.deepEqual([r.ok, r.attempts], [true, 2]);
  });
});
