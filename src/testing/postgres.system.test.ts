/** The throwaway PostgreSQL harness: who runs it, where it listens, and that nothing stays behind. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres } from './postgres.js';
import { unprivileged } from './users.js';

/** Each test's own TMPDIR (os.tmpdir reads it each call), so what the harness leaves is visible. */
let temp: string;
const realTmp = process.env['TMPDIR'];
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'sheriff-pg-harness-'));
  chmodSync(temp, 0o755); // the server's user must reach its dir inside
  process.env['TMPDIR'] = temp;
});
afterEach(() => {
  if (realTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = realTmp;
  rmSync(temp, { recursive: true, force: true });
});
const leftovers = () => readdirSync(temp);

async function settings(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
       WHERE name IN ('listen_addresses', 'unix_socket_directories', 'data_directory')`,
    );
    return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  it('runs as an unprivileged user on 127.0.0.1, its socket and data in its own temp dir, all removed on stop', async () => {
    const server = await startPostgres();
    let dir: string;
    try {
      const s = await settings(server.url);
      assert.equal(s['listen_addresses'], '127.0.0.1');
      dir = s['unix_socket_directories']!;
      assert.ok(dir.startsWith(`${temp}/`), dir);
      assert.ok(s['data_directory']!.startsWith(`${dir}/`), s['data_directory']);
      if (unprivileged.uid !== undefined) {
        assert.equal(statSync(s['data_directory']!).uid, unprivileged.uid);
      }
      // Each database it makes is new and empty, on the same server.
      const other = await server.createDatabase();
      assert.notEqual(other, server.url);
      assert.ok((await settings(other))['listen_addresses']);
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(dir), false);
    await assert.rejects(settings(server.url), /ECONNREFUSED/);
    await server.stop(); // twice is fine
    assert.deepEqual(leftovers(), []);
  });

  it('a server that cannot start is cleaned up, and the error shows its log', async () => {
    await assert.rejects(
      startPostgres({ settings: { max_connections: "'many'" } }),
      (err: Error) =>
        /could not start a test PostgreSQL/.test(err.message) && /server log/.test(err.message),
    );
    assert.deepEqual(leftovers(), []);
  });
});
