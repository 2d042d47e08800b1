/**
 * Writes the demo scenario into a log file as it happens. Lines carry scenario
 * time (start + step.at seconds) while the writer waits step.at / speed real
 * seconds, so a faster run still means the same thing to the detector.
 */
import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimeZone } from '../parse/zone.js';
import { DEMO_STEPS, type DemoStep } from './scenario.js';

export interface SimulationOptions {
  path: string;
  speed: number;
  start: number;
  zone: TimeZone;
  signal?: AbortSignal;
  onStep?: (step: DemoStep) => void;
}

export function demoLine(step: DemoStep, start: number, zone: TimeZone): string {
  return `${zone.format(start + Math.round(step.at * 1000))} demo-server sshd[${step.pid}]: ${step.message}`;
}

export async function simulate(opts: SimulationOptions): Promise<void> {
  const began = Date.now();
  for (const step of DEMO_STEPS) {
    const due = began + (step.at * 1000) / opts.speed;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: opts.signal });
    await appendFile(opts.path, demoLine(step, opts.start, opts.zone) + '\n');
    opts.onStep?.(step);
  }
}
