/**
 * The bus: every subscriber gets every message in order; one that throws or
 * rejects is logged and neither stops the others nor reaches the producer.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Bus } from './bus.js';
import { createLogger } from './log.js';

/** A logger whose JSON lines are kept. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json' }, stream), lines };
}

describe('Bus', () => {
  it('hands each message to every subscriber, in the order they subscribed', () => {
    const { logger } = recordingLogger();
    const bus = new Bus<number>('number', logger);
    const seen: string[] = [];
    bus.subscribe('a', (n) => void seen.push(`a${n}`));
    bus.subscribe('b', (n) => void seen.push(`b${n}`));
    bus.publish(1);
    bus.publish(2);
    assert.deepEqual(seen, ['a1', 'b1', 'a2', 'b2']);
  });

  it('a subscriber that throws or rejects is logged; the others still get the message', async () => {
    const { logger, lines } = recordingLogger();
    const bus = new Bus<string>('alert', logger);
    const seen: string[] = [];
    bus.subscribe('throws', () => {
      throw new Error('bug in a subscriber');
    });
    bus.subscribe('rejects', () => Promise.reject(new Error('the channel is down')));
    bus.subscribe('works', (m) => void seen.push(m));
    assert.doesNotThrow(() => bus.publish('finding'));
    assert.deepEqual(seen, ['finding']);
    await new Promise((resolve) => setImmediate(resolve));
    const failed = lines.filter((l) => l.event === 'subscriber_failed');
    assert.deepEqual(
      failed.map((l) => [l.bus, l.subscriber, (l.err as { message: string }).message]),
      [
        ['alert', 'throws', 'bug in a subscriber'],
        ['alert', 'rejects', 'the channel is down'],
      ],
    );
  });

  it('does not wait for a subscriber: a slow one does not hold the producer', () => {
    const { logger } = recordingLogger();
    const bus = new Bus<number>('n', logger);
    let done = false;
    bus.subscribe('slow', () => new Promise<void>(() => {}));
    bus.subscribe('after', () => void (done = true));
    bus.publish(1);
    assert.equal(done, true);
  });

  it('unsubscribing stops the messages to that subscriber only', () => {
    const { logger } = recordingLogger();
    const bus = new Bus<number>('n', logger);
    const seen: string[] = [];
    const off = bus.subscribe('a', (n) => void seen.push(`a${n}`));
    bus.subscribe('b', (n) => void seen.push(`b${n}`));
    bus.publish(1);
    off();
    bus.publish(2);
    assert.deepEqual(seen, ['a1', 'b1', 'b2']);
  });
});
