/**
 * Hostile user names through the real CLI: `test-filter` over generated lines,
 * `replay` of a rotated file that lacks the connections' first lines, and
 * `watch` restarted between a connection's "Invalid user" line and its
 * ambiguous "Failed password" line. No address ever comes from a name; a line
 * that cannot be settled is counted, without an address, in `status` and
 * `/metrics`.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openStore, type StoredEvent } from '../store/index.js';
import { caseArb, caseLines } from '../testing/hostile-names.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { exited, startWatch } from '../testing/watch-process.js';

let dir: string;
const children: ChildProcess[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-hostile-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const NOW = ['--now', '2026-12-06T21:00:00Z', '--timezone', 'UTC'];
/** The attacker, and the bystander its user names name. */
const ATTACKER = '198.51.100.7';
const BYSTANDER = '192.0.2.50';
const NAME = `x from ${BYSTANDER} port 22 ssh2: y`;

const at = (second: number) => `2026-12-06T20:00:${String(second).padStart(2, '0')}+00:00`;
const invalidUser = (pid: number, s: number) =>
  `${at(s)} web1 sshd[${pid}]: Invalid user ${NAME} from ${ATTACKER} port ${40000 + pid}\n`;
const failed = (pid: number, s: number) =>
  `${at(s)} web1 sshd[${pid}]: Failed password for invalid user ${NAME} from ${ATTACKER} port ${40000 + pid} ssh2\n`;

interface Line {
  n: number;
  result: string;
  ip: string | null;
  ambiguous?: true;
}

describe('hostile user names through the CLI', () => {
  it('test-filter: generated lines, with and without the earlier line, 0 wrong addresses', async () => {
    const cases = fc.sample(caseArb, { numRuns: 600, seed: 4242 });
    const lines: string[] = [];
    // Every line's client, and whether an earlier line of its connection came first.
    const expected = new Map<number, { ip: string; settled: boolean }>();
    cases.forEach((c, i) => {
      for (const text of caseLines(c, 10_000 + i)) {
        lines.push(text);
        expected.set(lines.length, { ip: c.peer.ip, settled: false });
      }
      expected.get(lines.length)!.settled = c.earlier !== 'none';
    });
    const file = join(dir, 'generated.log');
    await writeFile(file, lines.join('\n') + '\n');
    const r = await runCli([
      'test-filter',
      file,
      '--filter',
      'sshd',
      '--mode',
      'aggressive',
      '--json',
      ...NOW,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.equal(out.length, lines.length);
    const wrong = out.filter((l) => l.ip !== null && l.ip !== expected.get(l.n)!.ip);
    assert.deepEqual(
      wrong.map((l) => lines[l.n - 1]),
      [],
      'lines read with a wrong address',
    );
    const unsettled = out.filter(
      (l) => expected.get(l.n)!.settled && l.result !== 'none' && l.ip === null,
    );
    assert.deepEqual(
      unsettled.map((l) => lines[l.n - 1]),
      [],
      'lines the earlier one should have settled',
    );
    const ambiguous = out.filter((l) => l.ambiguous).length;
    assert.ok(ambiguous > 10, `${ambiguous} ambiguous lines`);

    const summary = await runCli([
      'test-filter',
      file,
      '--filter',
      'sshd',
      '--mode',
      'aggressive',
      ...NOW,
    ]);
    assert.match(summary.stdout, /counted without one: \d+/);
  });

  it('replay: a rotated file without the connections’ first lines accuses no bystander', async () => {
    const first = join(dir, 'auth.log.1');
    const second = join(dir, 'auth.log');
    const pids = [5001, 5002, 5003, 5004, 5005, 5006];
    await writeFile(first, pids.map((p, i) => invalidUser(p, i)).join(''));
    await writeFile(second, pids.map((p, i) => failed(p, 10 + i)).join(''));
    const replay = async (...files: string[]) => {
      const r = await runCli(['replay', ...files, '--json', '--maxretry', '3', ...NOW]);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return {
        accused: rows.filter((x) => x.type === 'finding').map((x) => x.ip),
        summary: rows.find((x) => x.type === 'summary')!,
      };
    };
    const alone = await replay(second);
    assert.deepEqual(alone.accused, [], 'no address to accuse: the names are ambiguous');
    assert.equal(alone.summary.ambiguous, pids.length);
    const both = await replay(first, second);
    assert.deepEqual([...new Set(both.accused)], [ATTACKER]);
    assert.equal(both.summary.ambiguous, 0);
  });

  it('watch: a restart keeps connection addresses; what cannot be settled shows in status and /metrics', async () => {
    const log = join(dir, 'watch.log');
    const db = join(dir, 'watch.db');
    const config = join(dir, 'watch.yaml');
    await writeFile(log, '');
    await writeFile(
      config,
      `store: { path: ${db} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true }]\nlog: { level: info, format: json }\nresponse: { firewall: dry-run }\nweb: { port: 0 }\n`,
    );
    const start = () => {
      const child = startWatch(config);
      children.push(child);
      return child;
    };
    const stop = async (child: ChildProcess) => {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    };
    const events = (): StoredEvent[] => {
      let store;
      try {
        store = openStore(db, { readonly: true });
      } catch {
        return [];
      }
      try {
        return store.events.queryEvents({ limit: 10_000 });
      } finally {
        store.close();
      }
    };

    const pids = [3001, 3002, 3003, 3004, 3005];
    await appendFile(log, pids.map((p, i) => invalidUser(p, i)).join(''));
    let child = start();
    await waitFor('the Invalid user lines stored', () => events().length >= pids.length);
    await stop(child);

    // While Sheriff is down, the connections fail; one more connection's first line was lost.
    await appendFile(log, pids.map((p, i) => failed(p, 10 + i)).join('') + failed(3999, 20));
    child = start();
    const url = await waitFor(
      'the console',
      () => /"url":"(http:[^"]+)"/.exec(child.output())?.[1],
    );
    await waitFor('the failures stored', () => events().length >= pids.length * 2 + 1);
    const byPid = new Map(
      events()
        .filter((e) => e.rule === 'failed')
        .map((e) => [Number(/sshd\[(\d+)\]/.exec(e.line)![1]), e.ip]),
    );
    assert.deepEqual(
      [...byPid].sort(),
      [...pids.map((p) => [p, ATTACKER]), [3999, null]],
      'settled by the saved addresses; the unknown connection has none',
    );
    assert.ok(events().every((e) => e.ip !== BYSTANDER));
    // /metrics shows the daemon's counters as it publishes them, every few seconds.
    await waitFor('the ambiguous line in /metrics', async () =>
      /^sheriff_ambiguous_lines_total\{jail="sshd"\} 1$/m.test(
        await (await fetch(`${url}/metrics`)).text(),
      ),
    );
    await stop(child);

    const status = await runCli(['--config', config, 'status', '--json']);
    const jails = (
      JSON.parse(status.stdout) as { daemon: { jails: Record<string, { ambiguous: number }> } }
    ).daemon.jails;
    assert.equal(jails.sshd?.ambiguous, 1);
    const text = await runCli(['--config', config, 'status']);
    assert.match(text.stdout, /naming their address in two places .*counted without one: 1$/m);
  });
});
