/** The optional modules the server has (GET /api/features), known once signed in. */
import type { Features } from '../contract.js';

let current: Features = {
  hosts: false,
  status: false,
  incidents: false,
  reports: false,
  todayReport: false,
  analyst: false,
};

export function features(): Features {
  return current;
}

export function setFeatures(f: Features): void {
  current = f;
}
