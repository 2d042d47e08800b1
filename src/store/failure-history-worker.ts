/**
 * The long-horizon search on its own thread (failure-history.ts, OffThreadFailureHistory):
 * days of failures summed on a read-only connection of its own, so the daemon's
 * event loop (lines, approvals, the web console) never waits on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FailureGroupQuery } from '../domain.js';
import { openDatabase } from './database.js';
import { FailureHistoryStore } from './failure-history.js';

const { path } = workerData as { path: string };
const history = new FailureHistoryStore(openDatabase(path, { readonly: true }));
parentPort!.on('message', ({ id, query }: { id: number; query: FailureGroupQuery }) => {
  try {
    parentPort!.postMessage({ id, rows: history.failureGroups(query) });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
