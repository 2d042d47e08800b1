/**
 * What a command loads before it does its work. Every command starts by loading
 * cli/main.js, which loads only the module of the command asked for; libraries
 * such as zod, SQLite, pino or the AI SDK load only inside the commands that use
 * them, and a daemon loads a feature's libraries only when the feature is
 * configured. Structure only: no test here measures time or memory
 * (src/bench/startup.ts and idle.ts do, beside the peers).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../testing/paths.js';
import { loadsSource, modulesIn, packagesIn } from '../testing/loaded-modules.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import {
  exited,
  idleWatchConfig,
  startWatch,
  type WatchProcess,
} from '../testing/watch-process.js';
import { translator } from '../i18n/index.js';
import { openStore } from '../store/index.js';
import { buildProgram, commandModule, COMMAND_MODULES } from './main.js';

const STATIC_IMPORT = /^import\s+(?!type\b)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function packagesLoadedBy(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | null>([[entry, null]]);
  const packages = new Map<string, string[]>();
  const chainOf = (file: string): string[] => {
    const chain: string[] = [];
    for (let f: string | null = file; f !== null; f = parent.get(f) ?? null)
      chain.push(f.slice(f.indexOf('/dist/') + 6));
    return chain;
  };
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (spec!.startsWith('node:')) continue;
      if (!spec!.startsWith('.')) {
        if (!packages.has(spec!)) packages.set(spec!, chainOf(file));
        continue;
      }
      const next = resolve(dirname(file), spec!);
      if (parent.has(next)) continue;
      parent.set(next, file);
      todo.push(next);
    }
  }
  return packages;
}

/** Libraries an idle daemon with the default configuration has no use for. */
const NOT_BY_DEFAULT = [
  'grammy', // Telegram
  'ai', // the analyst's model
  '@ai-sdk/openai-compatible',
  'maxmind', // GeoIP
  '@opentelemetry/sdk-trace-base', // OTLP export
  '@opentelemetry/exporter-trace-otlp-http',
  'ajv', // Fastify's JSON schemas: the console checks requests with zod
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'pg', // the fleet
  '@nats-io/transport-node',
  'pino-pretty', // the log is JSON here
];

let dir: string;
const children: WatchProcess[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-startup-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const hook = pathToFileURL(join(REPO_ROOT, 'dist', 'testing', 'loaded-modules.js')).href;
const traced = (name: string) => {
  const list = join(dir, `${name}.loaded`);
  return { list, env: { NODE_OPTIONS: `--import ${hook}`, SHERIFF_TEST_LOADED: list } };
};

/** A store, a configuration naming it and a state directory of their own (its config cache). */
const withStore = async (name: string) => {
  const state = join(dir, `state-${name}`);
  await mkdir(state);
  const db = join(dir, `${name}.db`);
  openStore(db).close();
  const config = join(dir, `${name}.yaml`);
  await writeFile(config, `store: { path: ${JSON.stringify(db)} }\n`);
  return { state, config };
};

describe('start-up', () => {
  it('loads no package but commander before a command runs', () => {
    const packages = packagesLoadedBy(join(REPO_ROOT, 'dist', 'cli', 'main.js'));
    const extra = [...packages].filter(([name]) => name !== 'commander');
    assert.deepEqual(
      extra.map(([name, chain]) => `${name} <- ${chain.join(' <- ')}`),
      [],
    );
  });

  it('`sheriff --help` loads every command’s module and no package but commander', async () => {
    const { list, env } = traced('help');
    const r = await runCli(['--help'], { env });
    assert.equal(r.code, 0, r.stderr);
    const loaded = await readFile(list, 'utf8');
    assert.deepEqual([...packagesIn(loaded)], ['commander']);
    for (const command of ['watch', 'status', 'replay', 'ask'])
      assert.ok(loadsSource(loaded, `cli/${command}`), command);
  });

  it('a command loads its own module, not the other commands’', async () => {
    const { list, env } = traced('status-help');
    const r = await runCli(['--lang', 'en', 'status', '--help'], { env });
    assert.equal(r.code, 0, r.stderr);
    const loaded = await readFile(list, 'utf8');
    assert.ok(loadsSource(loaded, 'cli/status'));
    for (const other of ['watch', 'replay', 'ask', 'respond'])
      assert.ok(!loadsSource(loaded, `cli/${other}`), `status loads cli/${other}`);
  });

  it('finds the command after the root options, and every command when there is none', () => {
    const module = (...args: string[]) => commandModule(['node', 'sheriff', ...args]);
    const of = (name: string) => COMMAND_MODULES.find((m) => m.commands.includes(name));
    assert.equal(module('status'), of('status'));
    assert.equal(module('--config', 'status', 'watch'), of('watch')); // a config file named status
    assert.equal(module('--lang=ko', '--config=x.yaml', 'unban', '1.2.3.4'), of('unban'));
    assert.equal(module('incident', '3'), of('incidents'));
    for (const all of [[], ['--help'], ['-V'], ['help', 'status'], ['stauts']])
      assert.equal(module(...all), null, all.join(' '));
  });

  it('names each command with the module that registers it, in the order help lists them', async () => {
    const ctx = { t: translator('en'), stdout: process.stdout, stderr: process.stderr };
    const all = await buildProgram(ctx);
    assert.deepEqual(
      all.commands.map((c) => c.name()),
      COMMAND_MODULES.flatMap((m) => m.commands),
    );
    for (const m of COMMAND_MODULES) {
      const one = await buildProgram(ctx, m);
      assert.deepEqual(
        one.commands.map((c) => c.name()),
        m.commands,
      );
    }
  });

  it('a command whose configuration is unchanged since the last one loads neither YAML nor the schema', async () => {
    const { state, config } = await withStore('cached');
    for (const run of ['first', 'second']) {
      const { list, env } = traced(`cached-${run}`);
      const r = await runCli(['--config', config, 'status'], {
        env: { ...env, STATE_DIRECTORY: state },
      });
      assert.equal(r.code, 0, r.stderr);
      const packages = packagesIn(await readFile(list, 'utf8'));
      assert.deepEqual(
        ['yaml', 'zod'].filter((p) => packages.has(p)),
        run === 'first' ? ['yaml', 'zod'] : [],
        run,
      );
    }
  });

  it('filters, test-filter, replay and report load neither YAML nor zod’s full build, and a schema check zod’s English only', async () => {
    const { state, config } = await withStore('light');
    const log = join(dir, 'light.log');
    await writeFile(log, '');
    const run = async (name: string, args: string[]) => {
      const { list, env } = traced(`light-${name}`);
      const r = await runCli(['--config', config, ...args], {
        env: { ...env, STATE_DIRECTORY: state },
      });
      assert.equal(r.code, 0, r.stderr);
      return modulesIn(await readFile(list, 'utf8'));
    };
    // The first command validates the configuration (YAML and the schema), and caches it.
    const locales = (await run('first', ['status'])).filter((m) => /\/zod\/v4\/locales\//.test(m));
    assert.deepEqual(
      locales.map((m) => m.slice(m.lastIndexOf('/') + 1)),
      ['index.js', 'en.js'],
    );
    // The built-in filters come from their stored form, a stored report is checked with zod/mini.
    const commands: Record<string, string[]> = {
      filters: ['filters'],
      'test-filter': ['test-filter', '--filter', 'sshd', log],
      replay: ['replay', log],
      report: ['report'],
    };
    for (const [name, args] of Object.entries(commands)) {
      const heavy = (await run(name, args)).filter(
        (m) => /\/node_modules\/(?:yaml|zod\/v4\/classic)\//.test(m) || m === 'src/filters/load.ts',
      );
      assert.deepEqual(heavy, [], name);
    }
  });

  it('an idle `sheriff watch` with the defaults loads none of the optional features’ libraries, and the console’s with its first request', async () => {
    const config = await idleWatchConfig(dir, 'watch');
    const { list, env } = traced('watch');
    const child = startWatch(config, [], env);
    children.push(child);
    await waitFor(
      'the daemon reading and its console listening',
      () => /"source_ready"/.test(child.output()) && /"web_listening"/.test(child.output()),
    );
    const idle = packagesIn(await readFile(list, 'utf8'));
    assert.ok(idle.has('better-sqlite3'), 'the daemon runs');
    // Its addon found directly (store/database.ts): the `bindings` package's search made V8
    // compile Node's path functions with Maglev, megabytes an idle daemon keeps.
    assert.ok(!idle.has('bindings'), 'better-sqlite3 searched for its addon');
    assert.deepEqual(
      NOT_BY_DEFAULT.filter((p) => idle.has(p)),
      [],
    );
    // The console listens, and its routes load with the first request.
    assert.ok(!idle.has('fastify'), 'the console’s routes wait for a request');
    const url = /"event":"web_listening","url":"([^"]+)"/.exec(child.output())![1]!;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(packagesIn(await readFile(list, 'utf8')).has('fastify'));
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0, child.output());
    // An ES import of node:http builds its namespace from every export, the lazy WebSocket
    // and EventSource too, which loads undici: megabytes a daemon serving no fetch never uses.
    assert.ok(
      !(await readFile(list, 'utf8')).includes('node-internal:internal/deps/undici/undici'),
      'undici loaded',
    );
  });
});
