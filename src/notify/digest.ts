/**
 * A flood of alerts becomes a digest. Per destination (a chat, a webhook), at
 * most `maxPerWindow` alerts are sent in each window, and at most one finding
 * per address in `perAddress`; the rest are counted and sent as one digest
 * message when the window ends. Loud alerts (a break-in, a stopped defence)
 * always go through. Time is the injected clock's; `flush` is called by a timer.
 */
import type { Millis } from '../domain.js';
import { addressOf, kindKey, loudness } from './alert-text.js';
import type { MessageKey } from '../i18n/index.js';
import type { Alert } from './notifier.js';

export interface DigestSettings {
  window: number;
  maxPerWindow: number;
  perAddress: number;
}

/** What was held back in one window. */
export interface Digest {
  destination: string;
  count: number;
  byKind: Map<MessageKey, number>;
  /** Some of the addresses involved (at most MAX_ADDRESSES). */
  addresses: string[];
  windowMs: number;
}

const MAX_ADDRESSES = 10;
/** Addresses remembered per destination for the per-address rule; the oldest are forgotten. */
const MAX_REMEMBERED = 10_000;

interface WindowState {
  start: Millis;
  sent: number;
  held: number;
  byKind: Map<MessageKey, number>;
  addresses: Set<string>;
  lastByAddress: Map<string, Millis>;
}

export class DigestThrottle {
  private readonly state = new Map<string, WindowState>();

  constructor(
    private readonly s: DigestSettings,
    private readonly clock: () => Millis,
  ) {}

  /** True: send `alert` to `destination` now. False: it is counted into the next digest. */
  admit(destination: string, alert: Alert): boolean {
    const now = this.clock();
    const st = this.window(destination, now);
    // Loud alerts must ring; a daily report or a change of status is rare news a digest would hide.
    if (loudness(alert) === 'loud' || alert.type === 'report' || alert.type === 'status')
      return true;
    const address = addressOf(alert);
    if (address !== null) {
      const last = st.lastByAddress.get(address);
      if (last !== undefined && now - last < this.s.perAddress)
        return this.hold(st, alert, address);
    }
    if (st.sent >= this.s.maxPerWindow) return this.hold(st, alert, address);
    st.sent++;
    if (address !== null) remember(st.lastByAddress, address, now);
    return true;
  }

  /** Digests of the windows that have ended with alerts held back; those windows start over. */
  flush(): Digest[] {
    const now = this.clock();
    const out: Digest[] = [];
    for (const [destination, st] of this.state) {
      if (now < st.start + this.s.window) continue;
      if (st.held > 0) {
        out.push({
          destination,
          count: st.held,
          byKind: st.byKind,
          addresses: [...st.addresses],
          windowMs: this.s.window,
        });
      }
      this.reset(st, now);
    }
    return out;
  }

  private window(destination: string, now: Millis): WindowState {
    let st = this.state.get(destination);
    if (st === undefined) {
      st = {
        start: now,
        sent: 0,
        held: 0,
        byKind: new Map(),
        addresses: new Set(),
        lastByAddress: new Map(),
      };
      this.state.set(destination, st);
    } else if (now >= st.start + this.s.window && st.held === 0) {
      // A window with nothing held needs no digest: start the next one now.
      this.reset(st, now);
    }
    return st;
  }

  private reset(st: WindowState, now: Millis): void {
    st.start = now;
    st.sent = 0;
    st.held = 0;
    st.byKind = new Map();
    st.addresses = new Set();
    for (const [address, at] of st.lastByAddress) {
      if (now - at < this.s.perAddress) break; // insertion order is time order
      st.lastByAddress.delete(address);
    }
  }

  private hold(st: WindowState, alert: Alert, address: string | null): false {
    st.held++;
    const key = kindKey(alert);
    st.byKind.set(key, (st.byKind.get(key) ?? 0) + 1);
    if (address !== null && st.addresses.size < MAX_ADDRESSES) st.addresses.add(address);
    return false;
  }
}

function remember(map: Map<string, Millis>, address: string, now: Millis): void {
  map.delete(address); // re-inserted at the end, so the map stays in time order
  map.set(address, now);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}
