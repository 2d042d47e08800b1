/**
 * JournaldSource against a fake journalctl (testing/fake-journalctl.ts) serving
 * the recorded fixture, and once against the real journalctl when this machine
 * has a journal. And once against
 * the real journalctl when this machine has a journal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { fakeJournalctl as makeFakeJournalctl } from '../testing/fake-journalctl.js';
import { fixture } from '../testing/paths.js';
import { waitFor as waitUntil } from '../testing/wait.js';
import { journalctlArgs, JournaldSource, type JournaldOptions } from './journald.js';
import type { LineBatch, Source } from './source.js';

const F = readFileSync(fixture('journald', 'sshd.jsonl'), 'utf8').trimEnd().split('\n');
const TRUNCATED = F[6]!;
const cursorOf = (line: string): string | null => {
  try {
    return (JSON.parse(line) as { __CURSOR?: string }).__CURSOR ?? null;
  } catch {
    return null;
  }
};
const cur = (i: number) => cursorOf(F[i]!)!;
/** Fixture records after index i, as the source yields them (the truncated one is skipped). */
const after_ = (i: number, end = F.length) => F.slice(i + 1, end).filter((l) => l !== TRUNCATED);
const MATCHES = ['_SYSTEMD_UNIT=ssh.service', '+', '_SYSTEMD_UNIT=sshd.service', '+'];
const MATCHES_ALL = [...MATCHES, '_COMM=sshd', '+', '_COMM=sshd-session'];

let base: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'sheriff-journald-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const fakeJournalctl = (initial: string[]) => makeFakeJournalctl(base, initial);

function run(src: Source, cursor: string | null) {
  const ac = new AbortController();
  const batches: LineBatch[] = [];
  const done = (async () => {
    for await (const b of src.lines(cursor, ac.signal)) batches.push(b);
  })();
  return {
    batches,
    lines: () => batches.flatMap((b) => b.lines),
    async stop() {
      ac.abort();
      await done;
    },
  };
}

/** The shared condition wait, with the condition first as these tests read. */
const waitFor = (cond: () => boolean, what: string) => waitUntil(what, cond);

const fast = (path: string, more: JournaldOptions = {}) =>
  new JournaldSource({
    journalctlPath: path,
    restartDelay: { initialMs: 10, maxMs: 100 },
    ...more,
  });

describe('journalctlArgs', () => {
  it('resumes after a cursor or starts at an instant, with matches joined by +', () => {
    assert.deepEqual(journalctlArgs({ cursor: 's=1;i=2' }, ['ssh.service'], ['sshd']), [
      '--follow', '--output=json', '--no-tail', '--after-cursor=s=1;i=2',
      '_SYSTEMD_UNIT=ssh.service', '+', '_COMM=sshd',
    ]); // prettier-ignore
    assert.deepEqual(journalctlArgs({ sinceMs: 1732520501007 }, [], []), [
      '--follow', '--output=json', '--no-tail', '--since=@1732520501.007',
    ]); // prettier-ignore
  });

  it('refuses a program name _COMM can never hold', () => {
    assert.throws(() => new JournaldSource({ programs: ['a-very-long-program-name'] }), /_COMM/);
    assert.throws(() => new JournaldSource({ units: ['ssh\n.service'] }), /unit/);
  });
});

describe('JournaldSource with a fake journalctl', () => {
  it('first start begins at now and yields later records in batches cursored by their last record', async () => {
    const fake = await fakeJournalctl(F.slice(0, 3));
    const src = fast(fake.path);
    const t0 = Date.now();
    const r = run(src, null);
    try {
      await waitFor(() => fake.invocations().length === 1, 'journalctl to start');
      fake.append(F.slice(3));
      const want = after_(2);
      await waitFor(() => r.lines().length >= want.length, 'the appended records');
      assert.deepEqual(r.lines(), want);
      for (const b of r.batches) assert.equal(b.cursor, cursorOf(b.lines.at(-1)!));
      assert.ok(r.batches.length < want.length, 'records available at once come in one batch');
      const args = fake.invocations()[0]!.args;
      assert.deepEqual(args.slice(0, 3), ['--follow', '--output=json', '--no-tail']);
      const since = /^--since=@(\d+\.\d{3})$/.exec(args[3]!);
      assert.ok(since !== null, args[3]);
      assert.ok(Number(since[1]) * 1000 >= t0 - 1 && Number(since[1]) * 1000 <= Date.now());
      assert.deepEqual(args.slice(4), MATCHES_ALL);
      const h = src.health();
      assert.equal(h.position, cur(11));
      assert.deepEqual([h.linesRead, h.skipped, h.errors, h.lastError], [8, 1, 0, null]);
    } finally {
      await r.stop();
    }
  });

  it('resumes strictly after a cursor: only later records, no duplicate', async () => {
    const fake = await fakeJournalctl(F);
    const r = run(fast(fake.path), cur(2));
    try {
      await waitFor(() => r.lines().includes(F[11]!), 'the last record');
      assert.deepEqual(r.lines(), after_(2));
      assert.equal(new Set(r.lines()).size, r.lines().length);
      const args = fake.invocations()[0]!.args;
      assert.ok(args.includes(`--after-cursor=${cur(2)}`));
      assert.ok(!args.some((a) => a.startsWith('--since')));
    } finally {
      await r.stop();
    }
  });

  it('restarts a crashed or killed journalctl after the last cursor, losing and repeating nothing', async () => {
    const fake = await fakeJournalctl(F.slice(0, 8));
    const src = fast(fake.path);
    const r = run(src, cur(0));
    try {
      await waitFor(() => r.lines().includes(F[7]!), 'records before the crash');
      fake.crashNext(); // prints half of record 8, exits 3
      fake.append(F.slice(8, 10));
      await waitFor(() => r.lines().includes(F[9]!), 'records after the crash');
      assert.ok(fake.invocations()[1]!.args.includes(`--after-cursor=${cur(7)}`));
      assert.equal(src.health().errors, 1);
      assert.match(src.health().lastError!, /exited with code 3: simulated crash/);

      process.kill(fake.invocations()[1]!.pid, 'SIGKILL');
      await waitFor(() => fake.invocations().length === 3, 'a restart after SIGKILL');
      assert.ok(fake.invocations()[2]!.args.includes(`--after-cursor=${cur(9)}`));
      fake.append(F.slice(10));
      await waitFor(() => r.lines().includes(F[11]!), 'records after the kill');
      assert.deepEqual(r.lines(), after_(0));
      assert.equal(src.health().errors, 2);
      assert.match(src.health().lastError!, /killed by SIGKILL/);
    } finally {
      await r.stop();
    }
  });

  it('abort kills journalctl and returns', async () => {
    const fake = await fakeJournalctl(F);
    const src = fast(fake.path);
    const r = run(src, null);
    let pid = 0;
    try {
      await waitFor(() => fake.invocations().length === 1, 'journalctl to start');
      pid = fake.invocations()[0]!.pid;
      process.kill(pid, 0); // alive
    } finally {
      await r.stop();
    }
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
    assert.equal(src.health().errors, 0);
  });

  it('falls back to now when journalctl refuses the saved cursor', async () => {
    const fake = await fakeJournalctl(F.slice(0, 2));
    const src = fast(fake.path);
    const r = run(src, 's=bogus');
    try {
      await waitFor(() => fake.invocations().length === 2, 'a second start');
      assert.ok(fake.invocations()[0]!.args.includes('--after-cursor=s=bogus'));
      assert.match(fake.invocations()[1]!.args[3]!, /^--since=@/);
      assert.match(src.health().lastError!, /Failed to seek to cursor.*saved cursor refused/);
      fake.append(F.slice(2, 3));
      await waitFor(() => r.lines().length === 1, 'a new record');
      assert.deepEqual(r.lines(), [F[2]]);
    } finally {
      await r.stop();
    }
  });

  it('reports a missing journalctl in health and keeps retrying', async () => {
    const src = fast(join(base, 'no-such-journalctl'));
    const r = run(src, null);
    try {
      await waitFor(() => src.health().errors >= 2, 'two failed starts');
      assert.match(src.health().lastError!, /cannot run .*ENOENT/);
    } finally {
      await r.stop();
    }
  });

  it('a `logger -t sshd` record is program logger through LineParser: _COMM wins', async () => {
    const fake = await fakeJournalctl(F);
    const r = run(fast(fake.path), cur(2));
    try {
      await waitFor(() => r.lines().includes(F[11]!), 'the records');
    } finally {
      await r.stop();
    }
    const parser = new LineParser({ zone: new TimeZone('UTC'), reference: () => Date.now() });
    const recs = r.lines().map((l) => parser.parse(l)!);
    const forged = recs.find((x) => x.message.includes('198.51.100.23'))!;
    assert.equal((JSON.parse(F[3]!) as Record<string, unknown>).SYSLOG_IDENTIFIER, 'sshd');
    assert.deepEqual([forged.program, forged.pid, forged.host], ['logger', 51002, 'web1']);
    assert.equal(forged.format, 'journal');
    const others = recs.filter((x) => x !== forged).map((x) => x.program);
    assert.ok(
      others.every((p) => p === 'sshd' || p === 'sshd-session'),
      String(others),
    );
    const bytes = recs.find((x) => x.message.includes('203.0.113.9 port 60001') && x.pid === 41262);
    assert.equal(bytes?.message, 'Invalid user \x1b[31mevil from 203.0.113.9 port 60001');
    assert.equal(recs[0]!.time, Date.UTC(2024, 10, 25, 7, 41, 41, 902)); // _SOURCE_REALTIME_TIMESTAMP
  });
});

/** The last two records of the machine's journal, when it has them. */
function probeJournal(): string[] {
  const p = spawnSync('journalctl', ['-n', '2', '-o', 'json', '--no-pager'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (p.status !== 0 || typeof p.stdout !== 'string') return [];
  return p.stdout.split('\n').filter((l) => cursorOf(l) !== null);
}

describe('JournaldSource and the real journal', () => {
  const real = probeJournal();
  if (real.length === 2) {
    it('this machine has a journal: real journalctl resumes after a cursor', async () => {
      const src = new JournaldSource({ units: [], programs: [] });
      const r = run(src, cursorOf(real[0]!));
      try {
        await waitFor(() => r.lines().length > 0, 'a record from the real journal');
        assert.equal(cursorOf(r.lines()[0]!), cursorOf(real[1]!));
        assert.ok(!r.lines().some((l) => cursorOf(l) === cursorOf(real[0]!)));
      } finally {
        await r.stop();
      }
    });
  } else {
    it('no readable journal here (journalctl -n 2 -o json printed no records): asserts the recorded journalctl -o json output path instead', async () => {
      const fake = await fakeJournalctl(F);
      const r = run(
        fast(fake.path, { units: ['ssh.service', 'sshd.service'], programs: [] }),
        cur(0),
      );
      try {
        await waitFor(() => r.lines().includes(F[11]!), 'the recorded records');
        assert.deepEqual(r.lines(), after_(0));
        assert.deepEqual(fake.invocations()[0]!.args.slice(4), MATCHES.slice(0, 3));
      } finally {
        await r.stop();
      }
    });
  }
});
