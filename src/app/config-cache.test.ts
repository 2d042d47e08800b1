/**
 * The configuration cache answers exactly what validating the file would: it is
 * used while everything validation reads is unchanged (the file, the overriding
 * variables, the filter files), and never for a configuration with an error.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fixture } from '../testing/paths.js';
import { CONFIG_CACHE_FILE } from './config-cache.js';
import { ConfigError, loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';

let dir: string;
let state: string;
let cache: string;
let filters: string;
let config: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-config-cache-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let round = 0;
beforeEach(() => {
  const here = join(dir, String(round++));
  state = join(here, 'state');
  filters = join(here, 'filters.d');
  mkdirSync(state, { recursive: true });
  mkdirSync(filters);
  cache = join(state, CONFIG_CACHE_FILE);
  config = join(here, 'sheriff.yaml');
  writeFileSync(config, `filters: { dir: ${JSON.stringify(filters)} }\nlog: { level: info }\n`);
  env = { STATE_DIRECTORY: state };
});

/**
 * Marks the kept configuration (a log level the file does not say), so a load
 * that answers from the cache shows it and a load that validated does not.
 */
function mark(): void {
  const entry = JSON.parse(readFileSync(cache, 'utf8')) as { config: { log: { level: string } } };
  entry.config.log.level = 'fatal';
  writeFileSync(cache, JSON.stringify(entry));
}

const level = async (e: NodeJS.ProcessEnv = env) => (await loadConfig(config, e)).config.log.level;

describe('configuration cache', () => {
  it('gives the configuration a validation gives, and answers the next load from the state directory', async () => {
    const first = await loadConfig(config, env);
    assert.deepEqual(first.config, parseConfig(readFileSync(config, 'utf8'), 'x', env));
    assert.equal(statSync(cache).mode & 0o777, 0o600);
    assert.deepEqual(await loadConfig(config, env), first);
    mark();
    assert.equal(await level(), 'fatal', 'the second load came from the cache');
  });

  it('validates afresh when the file changes', async () => {
    await level();
    mark();
    writeFileSync(config, readFileSync(config, 'utf8').replace('info', 'warn'));
    assert.equal(await level(), 'warn');
  });

  it('validates afresh when a variable that overrides the file changes', async () => {
    await level();
    mark();
    assert.equal(await level({ ...env, SHERIFF_LOG_LEVEL: 'debug' }), 'debug');
  });

  it('validates afresh when a filter file appears or changes, as the jails’ check reads them', async () => {
    await level();
    mark();
    const mine = join(filters, 'mine.yaml');
    writeFileSync(mine, 'x');
    assert.equal(await level(), 'info', 'a new filter');
    mark();
    utimesSync(mine, new Date(), new Date(Date.now() + 5_000));
    assert.equal(await level(), 'info', 'an edited filter');
  });

  it('never keeps a configuration with an error, which is reported afresh each time', async () => {
    writeFileSync(config, 'log: { level: loud }\n');
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        () => loadConfig(config, env),
        (err: unknown) =>
          err instanceof ConfigError && /sheriff\.yaml:1: log\.level: /.test(err.problems[0]!),
      );
    assert.ok(!existsSync(cache));
  });

  it('ignores a cache others could have written, or a symbolic link', async () => {
    await level();
    mark();
    chmodSync(cache, 0o644);
    assert.equal(await level(), 'info', 'mode 0644');
    mark();
    const planted = join(dir, `planted-${round}.json`);
    renameSync(cache, planted);
    symlinkSync(planted, cache);
    assert.equal(await level(), 'info', 'a symbolic link');
  });

  it('keeps nothing, and still loads, where the state directory does not exist', async () => {
    const none = { STATE_DIRECTORY: join(state, 'missing') };
    assert.equal(await level(none), 'info');
    assert.equal(await level(none), 'info');
    assert.deepEqual(readdirSync(state), []);
  });

  it('keeps every valid example configuration exactly', async () => {
    for (const file of readdirSync(fixture('config', 'valid'))) {
      writeFileSync(config, readFileSync(fixture('config', 'valid', file)));
      rmSync(cache, { force: true });
      const fresh = await loadConfig(config, env);
      assert.ok(existsSync(cache), `${file} is kept`);
      assert.deepEqual(await loadConfig(config, env), fresh, file);
    }
  });
});
