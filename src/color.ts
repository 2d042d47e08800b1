/** Colour on a terminal only: the log's pretty printer and commander's help ask here. */

export type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Whether text for this stream may carry colour: on a terminal only, unless
 * NO_COLOR (any non-empty value) forbids it or FORCE_COLOR asks for it
 * (no-color.org, force-color.org; FORCE_COLOR=0 or false means no colour).
 */
export function colorWanted(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force !== undefined && force !== '') return true;
  return stream.isTTY === true;
}
