import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './log.js';

/** What a logger writes to a pipe (JSON) or a terminal (pretty), line by line. */
function written(format: 'json' | 'pretty', log: (l: ReturnType<typeof createLogger>) => void) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const logger = createLogger({ level: 'info', format }, out);
  log(logger);
  logger.flush();
  return Buffer.concat(chunks).toString('utf8').trim().split('\n');
}

describe('the log', () => {
  it('names each record’s level in JSON, as journalctl shows it', () => {
    const lines = written('json', (l) => {
      l.info({ event: 'a' }, 'started');
      l.warn({ event: 'b' }, 'careful');
      l.debug({ event: 'c' }, 'below the level');
    });
    assert.deepEqual(
      lines
        .map((l) => JSON.parse(l) as { level: unknown; event: string })
        .map((r) => [r.level, r.event]),
      [
        ['info', 'a'],
        ['warn', 'b'],
      ],
    );
  });

  it('redacts secrets by path, whatever logs them', () => {
    const [line] = written('json', (l) =>
      l.info({ token: '123:ABC', notify: { apiKey: 'k' } }, 'x'),
    );
    assert.doesNotMatch(line!, /123:ABC|"k"/);
    assert.match(line!, /\[redacted\]/);
  });

  it('writes one line per record on a terminal, with the level’s name', () => {
    const lines = written('pretty', (l) =>
      l.warn({ event: 'finding', ip: '203.0.113.9' }, 'brute force'),
    );
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /WARN.*brute force/);
  });
});
