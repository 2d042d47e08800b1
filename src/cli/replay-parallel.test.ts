/**
 * `sheriff replay` over several files reads them in worker threads: its output
 * must be the one of reading them one after another (`--threads 1`), findings
 * in the same order, for attackers whose failures span files.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bsdTime, Rng, writeAuthLog } from '../bench/authlog-generator.js';
import { runCli } from '../testing/run-cli.js';
import { ownShare, planParts } from './replay-parallel.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-replay-parallel-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ADDRESSES = [
  '203.0.113.5',
  '203.0.113.6',
  '198.51.100.7',
  '10.0.0.8',
  '2001:db8:1:2::a',
  '2001:db8:1:2::b',
  '2001:db8:1:2::c',
  '2001:db8:7::1',
];
const USERS = ['root', 'admin', 'oracle', 'alice', 'deploy'];

/**
 * `files` logs, one after another in time, of whole connections (each pid's lines stay in
 * one file, as they do when a rotation falls between connections) from a few addresses,
 * so every address fails in several files: failures, logins, scanners, lines without a time.
 */
function logs(files: number, linesPerFile: number, seed: number): string[][] {
  const rng = new Rng(seed);
  let t = Date.UTC(2026, 10, 1) / 1000;
  let pid = 1000;
  const out: string[][] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    while (lines.length < linesPerFile) {
      t += rng.between(0, 90);
      const at = `${rng.pick(ADDRESSES)} port ${rng.between(1024, 65535)}`;
      const head = `${bsdTime(t)} web1 sshd[${++pid}]: `;
      const user = rng.pick(USERS);
      const kind = rng.next();
      if (kind < 0.55) {
        for (let n = rng.between(1, 4); n > 0; n--)
          lines.push(`${head}Failed password for ${user} from ${at} ssh2`);
        lines.push(`${head}Connection closed by authenticating user ${user} ${at} [preauth]`);
      } else if (kind < 0.7) {
        lines.push(`${head}Invalid user ${user}x from ${at}`);
        lines.push(`${head}Failed password for invalid user ${user}x from ${at} ssh2`);
      } else if (kind < 0.8) {
        lines.push(`${head}Accepted password for ${user} from ${at} ssh2`);
      } else if (kind < 0.95) {
        lines.push(`${head}Connection closed by ${at} [preauth]`);
      } else {
        // No time of its own: counted at the latest time read, as the sequential read does.
        lines.push(`sshd[${++pid}]: Failed password for ${user} from ${at} ssh2`);
      }
    }
    out.push(lines);
  }
  return out;
}

async function write(name: string, lines: string[][]): Promise<string[]> {
  const sub = join(dir, name);
  await mkdir(sub);
  const paths: string[] = [];
  for (const [i, text] of lines.entries()) {
    const n = lines.length - 1 - i;
    // Oldest first, some compressed, as rotated logs are: auth.log.3.gz … auth.log.
    const path = join(sub, n === 0 ? 'auth.log' : n === 1 ? 'auth.log.1' : `auth.log.${n}.gz`);
    const body = text.join('\n') + '\n';
    await writeFile(path, n >= 2 ? gzipSync(body) : body);
    // Each file's own time is the reference for the years its lines leave out.
    const mtime = new Date(Date.UTC(2026, 10, 1 + 3 * i));
    await utimes(path, mtime, mtime);
    paths.push(path);
  }
  return paths;
}

/** Its own config, so no /etc/sheriff/sheriff.yaml of the machine counts; a trusted network too. */
const replay = async (paths: string[], threads: number, ...more: string[]) => {
  const config = join(dir, 'sheriff.yaml');
  await writeFile(config, 'trusted: [198.51.100.0/24]\n');
  const args = ['--config', config, 'replay', ...paths, '--threads', String(threads)];
  return runCli([...args, '--timezone', 'UTC', ...more]);
};

describe('sheriff replay over several files in worker threads', () => {
  it('prints what reading the files one after another prints, JSON and text', async () => {
    const paths = await write('four', logs(4, 3000, 18));
    for (const more of [['--json'], ['--json', '--maxretry', '3', '--findtime', '20m'], []]) {
      const one = await replay(paths, 1, ...more);
      const two = await replay(paths, 2, ...more);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      assert.equal(two.stdout, one.stdout, more.join(' '));
    }
    const found = (await replay(paths, 2, '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; first?: string; last?: string });
    const findings = found.filter((o) => o.type === 'finding');
    assert.ok(findings.length > 10, 'the logs make findings');
  });

  it('knows the connections a rotation cut in two, as the sequential read does', async () => {
    // The bench's log interleaves connections; cut anywhere, some run on into the next file.
    const whole = join(dir, 'interleaved.log');
    await writeAuthLog(whole, { lines: 24_000, seed: 5, start: Date.UTC(2026, 10, 1) / 1000 });
    const lines = (await readFile(whole, 'utf8')).trimEnd().split('\n');
    const cuts = [0, 5003, 11_017, 17_999, lines.length];
    const parts = cuts.slice(1).map((end, i) => lines.slice(cuts[i], end));
    const paths = await write('cut', parts);
    const now = ['--json', '--now', '2026-12-01T00:00:00Z'];
    const one = await replay(paths, 1, ...now);
    const two = await replay(paths, 2, ...now);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, one.stdout);
  });

  it('cuts big plain files between threads, knowing the connections a cut runs through', async () => {
    // Every line's connection runs across the next line: a hostless failure ("account is
    // locked") that counts when the connection's next line names the address. Wherever a cut
    // falls, it splits one: the thread after it must know the line before (replay-tail.ts).
    const paths: string[] = [];
    let t = Date.UTC(2026, 10, 1) / 1000;
    let pid = 1000;
    for (let f = 0; f < 2; f++) {
      const lines: string[] = [];
      // The first file the bigger, so a thread's range ends well inside it.
      while (lines.length < (f === 0 ? 64_000 : 32_000)) {
        t += 1;
        const at = `203.0.113.${pid % 200} port ${40_000 + (pid % 999)}`;
        lines.push(
          `${bsdTime(t)} web1 sshd[${pid}]: User root not allowed because account is locked`,
        );
        lines.push(
          `${bsdTime(t)} web1 sshd[${pid - 1}]: Received disconnect from ${at}:11: Bye [preauth]`,
        );
        pid++;
      }
      const path = join(dir, `locked-${f}.log`);
      await writeFile(path, lines.join('\n') + '\n');
      paths.push(path);
    }
    const sizes = await Promise.all(paths.map(async (p) => (await readFile(p)).length));
    for (const threads of [2, 3]) {
      const parts = await planParts(paths, sizes, threads);
      assert.ok(
        parts.some((p) => p.range !== null && p.range.start > 0),
        JSON.stringify(parts),
      );
    }
    const now = ['--json', '--now', '2026-12-01T00:00:00Z'];
    const one = await replay(paths, 1, ...now);
    assert.equal(one.code, 0, one.stderr);
    for (const threads of [2, 3]) {
      const more = await replay(paths, threads, ...now);
      assert.equal(more.code, 0, more.stderr);
      assert.equal(more.stdout, one.stdout, `${threads} threads`);
    }
  });

  it('plans parts that cover every byte once, in order, cut only where lines start', async () => {
    const sub = join(dir, 'plan');
    await mkdir(sub);
    const rng = new Rng(3);
    const line = () => 'x'.repeat(rng.between(0, 300));
    for (let trial = 0; trial < 20; trial++) {
      const paths: string[] = [];
      const bodies: Buffer[] = [];
      for (let f = 0; f < rng.between(2, 5); f++) {
        const body = Array.from({ length: rng.between(0, 200) }, line).join('\n');
        const gz = rng.chance(0.25);
        const path = join(sub, `${trial}-${f}${gz ? '.gz' : ''}`);
        const bytes = Buffer.from(rng.chance(0.5) ? body + '\n' : body);
        await writeFile(path, gz ? gzipSync(bytes) : bytes);
        paths.push(path);
        bodies.push(gz ? gzipSync(bytes) : bytes);
      }
      const sizes = bodies.map((b) => b.length);
      const threads = rng.between(2, 4);
      const parts = await planParts(paths, sizes, threads, { minPart: 1000, roundPerThread: 1000 });
      const files = parts.map((p) => p.file);
      assert.deepEqual([...new Set(files)], [...paths.keys()], 'every file, in order');
      for (const [file, body] of bodies.entries()) {
        const own = parts.filter((p) => p.file === file);
        if (own.some((p) => p.range === null)) {
          assert.equal(own.length, 1, 'a whole file is one part');
          assert.ok(paths[file]!.endsWith('.gz') || body.length < 2000, 'only small or gzip whole');
          continue;
        }
        assert.equal(own[0]!.range!.start, 0);
        assert.equal(own.at(-1)!.range!.end, body.length);
        for (const [k, p] of own.entries()) {
          assert.ok(p.range!.end > p.range!.start, 'no empty part');
          assert.ok(p.thread >= 0 && p.thread < threads);
          if (k > 0) {
            assert.equal(p.range!.start, own[k - 1]!.range!.end, 'no gap, no overlap');
            assert.equal(body[p.range!.start - 1], 10, 'cut after a newline');
          }
        }
      }
    }
  });

  it('deals big files out in small rounds, this thread its share, so no thread waits long', async () => {
    // The last worker's part is detected after it is done: the rounds keep it small. And this
    // thread reads less than a worker, for it also detects the workers' events.
    const sub = join(dir, 'rounds');
    await mkdir(sub);
    const paths: string[] = [];
    const sizes: number[] = [];
    for (let f = 0; f < 4; f++) {
      const body = Buffer.from(
        Array.from({ length: 400 }, (_, i) => `line ${f} ${i} ${'x'.repeat(90)}\n`).join(''),
      );
      const path = join(sub, `${f}.log`);
      await writeFile(path, body);
      paths.push(path);
      sizes.push(body.length);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    const round = 10_000;
    const parts = await planParts(paths, sizes, 2, { minPart: 1000, roundPerThread: round });
    const length = (p: (typeof parts)[number]) => p.range!.end - p.range!.start;
    const biggest = Math.max(...parts.map(length));
    assert.ok(biggest < 1.5 * round, `a part of ${biggest} bytes: ${JSON.stringify(parts)}`);
    const own = parts.filter((p) => p.thread === 0).reduce((a, p) => a + length(p), 0);
    assert.ok(ownShare(2) > 0.4 && ownShare(2) < 0.5, String(ownShare(2)));
    assert.ok(Math.abs(own / total - ownShare(2)) < 0.02, `this thread reads ${own} of ${total}`);
  });

  it(
    'exits on a bad configuration, though its threads started before it was read',
    { timeout: 60_000 },
    async () => {
      const paths = await write('bad-config', logs(2, 500, 9));
      const config = join(dir, 'bad.yaml');
      await writeFile(config, 'trusted: [not-a-network]\n');
      const r = await runCli(['--config', config, 'replay', ...paths, '--threads', '2']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /bad\.yaml/);
    },
  );

  it('finds an attack whose failures are split between two files', async () => {
    const split = [
      [
        'Nov  1 10:00:00 web1 sshd[1]: Failed password for root from 192.0.2.9 port 1 ssh2',
        'Nov  1 10:00:05 web1 sshd[2]: Failed password for root from 192.0.2.9 port 2 ssh2',
        'Nov  1 10:00:09 web1 sshd[3]: Failed password for admin from 192.0.2.9 port 3 ssh2',
      ],
      [
        'Nov  1 10:01:00 web1 sshd[4]: Failed password for root from 192.0.2.9 port 4 ssh2',
        'Nov  1 10:01:30 web1 sshd[5]: Failed password for oracle from 192.0.2.9 port 5 ssh2',
      ],
    ];
    const paths = await write('split', split);
    const r = await replay(paths, 2, '--json', '--now', '2026-11-02T00:00:00Z');
    assert.equal(r.code, 0, r.stderr);
    const findings = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind: string; ip: string; count: number })
      .filter((o) => o.type === 'finding')
      .map((f) => [f.kind, f.ip, f.count]);
    assert.deepEqual(findings, [['bruteforce', '192.0.2.9', 5]]);
  });

  it('stops at an unreadable file as the sequential read does, after the findings before it', async () => {
    const paths = await write('broken', logs(3, 2000, 7));
    const broken = join(dir, 'broken', 'not-a-file');
    await mkdir(broken);
    const files = [paths[0]!, paths[1]!, broken, paths[2]!];
    const one = await replay(files, 1, '--json');
    const two = await replay(files, 2, '--json');
    assert.equal(one.code, 2);
    assert.match(one.stderr, /cannot read .*not-a-file/);
    assert.deepEqual([two.code, two.stderr, two.stdout], [one.code, one.stderr, one.stdout]);
    assert.ok(one.stdout.includes('"type":"finding"'), 'findings of the files before it');
  });
});
