/** Where the compile cache goes: Sheriff's own state directory, and only when it exists. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileCacheDir } from './compile-cache.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-cache-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('compileCacheDir', () => {
  it('is in systemd’s STATE_DIRECTORY when the service has one', () => {
    assert.equal(
      compileCacheDir({ STATE_DIRECTORY: `${dir}:/elsewhere` }, 1000),
      join(dir, 'compile-cache'),
    );
  });

  it('is beside the default store, and nowhere while that directory does not exist', async () => {
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    assert.equal(compileCacheDir(env, 1000), null);
    await mkdir(join(dir, 'state', 'sheriff'), { recursive: true });
    assert.equal(compileCacheDir(env, 1000), join(dir, 'state', 'sheriff', 'compile-cache'));
  });
});
