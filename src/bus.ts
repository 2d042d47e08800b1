/**
 * A tiny typed publish/subscribe. Producers publish on the hot path, so a
 * subscriber is called at once, in the order of subscription, and MUST return
 * quickly (queue, count); what it does later it returns as a promise, which is
 * not awaited. A subscriber that throws or rejects is logged, never thrown to
 * the producer, and the others still get the message.
 *
 * It sits below every folder so that any producer can be handed `publish`
 * without knowing who listens: the composition root (app/compose.ts) creates
 * the buses first and subscribes the listeners.
 */
import type { Logger } from './log.js';

export type Subscriber<T> = (message: T) => void | Promise<void>;

export class Bus<T> {
  private readonly subscribers: { name: string; fn: Subscriber<T> }[] = [];

  /** `name` says what the bus carries, in the log line of a failing subscriber. */
  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** `name` says who listens, in the log line when it fails. Returns the unsubscribe. */
  subscribe(name: string, fn: Subscriber<T>): () => void {
    const entry = { name, fn };
    this.subscribers.push(entry);
    return () => {
      const i = this.subscribers.indexOf(entry);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  /** Hands `message` to every subscriber; never throws. Bound: pass `bus.publish` around. */
  readonly publish = (message: T): void => {
    for (const { name, fn } of [...this.subscribers]) {
      try {
        const done = fn(message);
        if (done instanceof Promise) done.catch((err: unknown) => this.failed(name, err));
      } catch (err) {
        this.failed(name, err);
      }
    }
  };

  private failed(subscriber: string, err: unknown): void {
    this.logger.error(
      { event: 'subscriber_failed', bus: this.name, subscriber, err },
      `a ${this.name} subscriber failed`,
    );
  }
}
