/** One EventSource for the whole app; pages subscribe while they are shown. */
import type { LiveBatch, LiveItem } from '../contract.js';

type Listener = (items: LiveItem[], dropped: number) => void;
const listeners = new Set<Listener>();
const stateListeners = new Set<(on: boolean) => void>();
let source: EventSource | null = null;
let connected = false;

function setConnected(on: boolean): void {
  connected = on;
  stateListeners.forEach((f) => f(on));
}

export function connect(): void {
  if (source !== null) return;
  source = new EventSource('/api/live');
  source.addEventListener('open', () => setConnected(true));
  source.addEventListener('error', () => setConnected(false));
  source.addEventListener('batch', (e) => {
    const { items, dropped } = JSON.parse((e as MessageEvent<string>).data) as LiveBatch;
    for (const f of listeners) f(items, dropped);
  });
}

export function disconnect(): void {
  source?.close();
  source = null;
  setConnected(false);
}

export function subscribe(f: Listener): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Calls `f` with the current state at once, then on every change. */
export function onConnection(f: (on: boolean) => void): () => void {
  stateListeners.add(f);
  f(connected);
  return () => stateListeners.delete(f);
}
