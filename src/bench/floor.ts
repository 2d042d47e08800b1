/**
 * The floor: the least any Node log reader must do. Reads a file in 1 MiB chunks,
 * decodes UTF-8, splits it into line strings and counts them; nothing else.
 * Run as its own process (`node dist/bench/floor.js FILE`) so it is timed like the tools.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';

/** Hands every line of `path` (without its newline) to `line`, as the floor reads them. */
export async function eachLine(path: string, line: (text: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      line(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) line(rest);
}

export async function countLines(path: string): Promise<{ lines: number; chars: number }> {
  let lines = 0;
  let chars = 0;
  await eachLine(path, (line) => {
    chars += line.length; // use the line, so the split cannot be optimised away
    lines++;
  });
  return { lines, chars };
}

/** Whether this module is the process's main script. */
export const isMain = (url: string) =>
  process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;

if (isMain(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js FILE\n');
    process.exit(2);
  }
  const { lines, chars } = await countLines(file);
  process.stdout.write(`${lines} lines, ${chars} characters\n`);
}
