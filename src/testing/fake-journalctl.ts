/**
 * A fake journalctl for tests, where no journal can be produced (no systemd-journald): a Node
 * script that serves a JSON-lines "journal" file as `journalctl --output=json` prints it,
 * honours --after-cursor (failing as journalctl does on an unknown cursor), --since=<now> and
 * --follow, logs its invocations and can crash half-way through a record on request.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FAKE = (journal: string, log: string, crash: string) => `#!/usr/bin/env node
// Fake journalctl: the journal is ${journal}, one record a line.
(async () => {
  const fs = await import('node:fs');
  const [JOURNAL, LOG, CRASH] = ${JSON.stringify([journal, log, crash])};
  const args = process.argv.slice(2);
  const cursorOf = (l) => (/"__CURSOR":"([^"]*)"/.exec(l) || [])[1];
  let offset = 0;
  const take = () => {
    const buf = fs.readFileSync(JOURNAL);
    const end = buf.lastIndexOf(10) + 1;
    if (end <= offset) return [];
    const lines = buf.subarray(offset, end).toString('utf8').split('\\n').slice(0, -1);
    offset = end;
    return lines;
  };
  const print = (lines) => {
    if (lines.length === 0) return;
    if (fs.existsSync(CRASH)) {
      fs.unlinkSync(CRASH);
      process.stdout.write(lines[0].slice(0, 300)); // half a record, then die
      process.stderr.write('simulated crash\\n');
      process.exit(3);
    }
    process.stdout.write(lines.join('\\n') + '\\n');
  };
  let lines = take();
  // Logged after the first read, so a test that waits for this start appends only new records.
  fs.appendFileSync(LOG, JSON.stringify({ pid: process.pid, args }) + '\\n');
  const after = args.find((a) => a.startsWith('--after-cursor='));
  if (after !== undefined) {
    const i = lines.findIndex((l) => cursorOf(l) === after.slice(15));
    if (i < 0) {
      process.stderr.write('Failed to seek to cursor: Invalid argument\\n');
      process.exit(1);
    }
    lines = lines.slice(i + 1);
  } else lines = []; // --since=<now>: what the journal held at start is in the past
  print(lines);
  if (args.includes('--follow')) setInterval(() => print(take()), 10);
})();
`;

export interface FakeJournalctl {
  path: string;
  append(lines: string[]): void;
  crashNext(): void;
  invocations(): { pid: number; args: string[] }[];
}

/** A fake journalctl in a new directory under `base`, its journal holding `initial` records. */
export async function fakeJournalctl(base: string, initial: string[]): Promise<FakeJournalctl> {
  const dir = await mkdtemp(join(base, 'case-'));
  const [journal, log, crash, path] = ['journal.jsonl', 'calls.log', 'crash', 'journalctl'].map(
    (n) => join(dir, n),
  ) as [string, string, string, string];
  await writeFile(journal, initial.map((l) => l + '\n').join(''));
  await writeFile(log, '');
  await writeFile(path, FAKE(journal, log, crash));
  await chmod(path, 0o755);
  return {
    path,
    append: (lines) => appendFileSync(journal, lines.map((l) => l + '\n').join('')),
    crashNext: () => writeFileSync(crash, ''),
    invocations: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { pid: number; args: string[] }),
  };
}
