/**
 * Durations as people write them in config and flags: "90s", "10m", "1h30m",
 * "2d", "1w", or a plain number of seconds.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export class DurationError extends Error {}

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0)
      throw new DurationError(`expected a duration like 10m, got ${text}`);
    return text * 1000;
  }
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end === 0 || end !== s.length)
    throw new DurationError(`expected a duration like 10m, got "${text}"`);
  return total;
}

/** The shortest exact spelling: 600000 → "10m", 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  // Weeks only when exact: "90d" reads better than "12w6d".
  const units = ms % UNIT_MS.w! === 0 ? ['w'] : ['d', 'h', 'm', 's', 'ms'];
  for (const unit of units) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
