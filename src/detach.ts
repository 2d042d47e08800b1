/**
 * A copy of `s` that does not keep its parent alive. V8 represents a substring
 * (a regex capture, a slice of a line) as a view into the whole parent string,
 * here a decoded megabyte of log. Keys and names kept for hours in per-address
 * state must be copied, or each keeps its megabyte alive.
 */
export function detach(s: string): string {
  // Short strings are copied by V8 anyway; a concatenation is flattened into fresh memory by slice.
  return s.length < 13 ? s : (' ' + s).slice(1);
}
