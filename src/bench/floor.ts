/**
 * The floor: the least any Node log reader must do. Reads a file in 1 MiB chunks,
 * decodes UTF-8, splits it into line strings and counts them; nothing else.
 * Run as its own process (`node dist/bench/floor.js FILE`) so it is timed like the tools.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';

export async function countLines(path: string): Promise<{ lines: number; chars: number }> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lines = 0;
  let chars = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      chars += line.length; // use the line, so the split cannot be optimised away
      lines++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) {
    lines++;
    chars += rest.length;
  }
  return { lines, chars };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js FILE\n');
    process.exit(2);
  }
  const { lines, chars } = await countLines(file);
  process.stdout.write(`${lines} lines, ${chars} characters\n`);
}
