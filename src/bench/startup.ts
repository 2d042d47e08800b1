/**
 * Start-up of every CLI command: spawn to exit of `bin/sheriff …`, beside a bare
 * `node -e 0` in the same run, interleaved round by round (a slow drift of a shared
 * machine touches every command alike), best of N. The difference to the bare
 * Node is what Sheriff's own loading costs; the bar is on that difference.
 *
 * The commands run against a private config and an empty store in a temporary
 * directory, so `status`, `events`, … do their ordinary work (open the store, read
 * it) rather than fail early. CPU time (user + system, from GNU time) is reported
 * beside the wall time: it is the steadier of the two when the machine is busy.
 * STATE_DIRECTORY points into that directory, as systemd's does for the service,
 * so the compile cache (cli/compile-cache.ts) and the configuration cache
 * (app/config-cache.ts) work as on a server Sheriff runs on. One row shows the
 * command after each edit of sheriff.yaml, when the configuration cache cannot answer.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../store/index.js';
import { table } from './table.js';
import { atMost, type PartOptions, type TargetRow } from './targets.js';

export type StartupOptions = PartOptions;

/** Spawn to exit of any command, minus a bare `node -e 0`'s. */
export const STARTUP_BAR_MS = 100;
const ROUNDS = { quick: 5, full: 15 };
const GNU_TIME = '/usr/bin/time';

interface Timing {
  wallMs: number;
  cpuMs: number | null;
  exitCode: number | null;
  stderr: string;
}

/** One run of `file args`, timed from spawn to exit; CPU time from GNU time when installed. */
async function timed(
  file: string,
  args: string[],
  scratch: string,
  env: NodeJS.ProcessEnv,
): Promise<Timing> {
  const useTime = await readFile(GNU_TIME).then(
    () => true,
    () => false,
  );
  const cpuFile = `${scratch}.cpu`;
  const [prog, argv] = useTime
    ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, file, ...args]]
    : [file, args];
  const started = process.hrtime.bigint();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    execFile(prog, argv, { env, timeout: 60_000 }, (err, _stdout, stderr) =>
      done({
        code: err === null ? 0 : typeof err.code === 'number' ? err.code : null,
        stderr,
      }),
    );
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let cpuMs: number | null = null;
  if (useTime) {
    // GNU time writes "Command exited with non-zero status N" first when it did.
    const last = (await readFile(cpuFile, 'utf8').catch(() => '')).trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) ([\d.]+)$/.exec(last);
    if (m) cpuMs = (Number(m[1]) + Number(m[2])) * 1000;
  }
  return { wallMs, cpuMs, exitCode: code, stderr };
}

interface Probe {
  name: string;
  file: string;
  args: string[];
  /** Before each run (not timed). */
  before?: () => Promise<void>;
  /** Its own state directory, so its configuration cache does not touch the others'. */
  state?: string;
  wall: number[];
  cpu: number[];
  error: string | null;
}

/** The commands measured, each as a user would type it (bin/sheriff, a config, an empty log). */
function probes(root: string, dir: string): Probe[] {
  const sheriff = resolve(root, 'bin/sheriff');
  const config = ['--config', join(dir, 'sheriff.yaml')];
  const empty = join(dir, 'empty.log');
  const commands: [string, string[]][] = [
    ['--help', ['--help']],
    ['--version', ['--version']],
    ['status', [...config, 'status']],
    ['events', [...config, 'events']],
    ['incidents', [...config, 'incidents']],
    ['config check', [...config, 'config', 'check']],
    ['filters', [...config, 'filters']],
    ['test-filter (empty file)', [...config, 'test-filter', '--filter', 'sshd', empty]],
    ['replay (empty file)', [...config, 'replay', empty]],
    ['report', [...config, 'report']],
    ['watch --help', ['watch', '--help']],
  ];
  const edited = join(dir, 'edited.yaml');
  let edits = 0;
  return [
    {
      name: 'node -e 0',
      file: process.execPath,
      args: ['-e', '0'],
      wall: [],
      cpu: [],
      error: null,
    },
    ...commands.map(([name, args]) => ({
      name,
      file: sheriff,
      args,
      wall: [],
      cpu: [],
      error: null,
    })),
    {
      name: 'status, sheriff.yaml just edited',
      file: sheriff,
      args: ['--config', edited, 'status'],
      before: async () =>
        writeFile(
          edited,
          `# edit ${++edits}\n${await readFile(join(dir, 'sheriff.yaml'), 'utf8')}`,
        ),
      state: join(dir, 'state-edited'),
      wall: [],
      cpu: [],
      error: null,
    },
  ];
}

const best = (xs: number[]) => (xs.length === 0 ? NaN : Math.min(...xs));
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const plus = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(1)}` : 'n/a');

/** Measures every command and prints a table; returns one target row per command. */
export async function benchStartup(opts: StartupOptions): Promise<TargetRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sheriff-startup-'));
  try {
    const db = join(dir, 'sheriff.db');
    await writeFile(
      join(dir, 'sheriff.yaml'),
      `store: { path: ${JSON.stringify(db)} }\nresponse: { firewall: dry-run }\n`,
    );
    await writeFile(join(dir, 'empty.log'), '');
    openStore(db).close();
    const state = join(dir, 'state');
    await mkdir(state);
    const env = { ...process.env, SHERIFF_LANG: 'en', LC_ALL: 'C.UTF-8', STATE_DIRECTORY: state };
    const all = probes(opts.root, dir);
    for (const p of all) if (p.state !== undefined) await mkdir(p.state);
    const rounds = opts.quick ? ROUNDS.quick : ROUNDS.full;
    // Round 0 warms the page cache (and any compile cache) and is not counted.
    for (let round = 0; round <= rounds; round++) {
      opts.progress?.(`start-up: round ${round}/${rounds}…`);
      for (const p of all) {
        if (p.error !== null) continue;
        await p.before?.();
        const t = await timed(p.file, p.args, join(dir, 'run'), {
          ...env,
          ...(p.state === undefined ? {} : { STATE_DIRECTORY: p.state }),
        });
        if (t.exitCode !== 0) {
          p.error = `exit ${t.exitCode}: ${t.stderr.trim().slice(0, 200)}`;
          continue;
        }
        if (round === 0) continue;
        p.wall.push(t.wallMs);
        if (t.cpuMs !== null) p.cpu.push(t.cpuMs);
      }
    }
    const [floor, ...commands] = all;
    const floorWall = best(floor!.wall);
    const floorCpu = best(floor!.cpu);
    const rows = [['command', 'best wall ms', 'vs node -e 0', 'best CPU ms', 'vs node -e 0', '']];
    for (const p of all)
      rows.push([
        p.name,
        ms(best(p.wall)),
        p === floor ? '' : plus(best(p.wall) - floorWall),
        ms(best(p.cpu)),
        p === floor ? '' : plus(best(p.cpu) - floorCpu),
        p.error === null ? '' : `FAILED ${p.error}`,
      ]);
    opts.log(
      `Start-up, best of ${rounds} interleaved rounds (spawn to exit; CPU = user + system):`,
    );
    opts.log(table(rows));
    await mkdir(opts.outDir, { recursive: true });
    await writeFile(
      join(opts.outDir, 'startup.json'),
      JSON.stringify(
        all.map(({ name, args, wall, cpu, error }) => ({
          name,
          args,
          wallMs: wall,
          cpuMs: cpu,
          error,
        })),
        null,
        2,
      ) + '\n',
    );
    return commands.map((p) => {
      const extra = p.error === null ? best(p.wall) - floorWall : NaN;
      return {
        target: `start-up of sheriff ${p.name}, beyond node -e 0`,
        bar: `≤ ${STARTUP_BAR_MS} ms`,
        measured: p.error === null ? `${plus(extra)} ms` : 'failed',
        verdict: p.error === null ? atMost(extra, STARTUP_BAR_MS) : 'MISS',
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
