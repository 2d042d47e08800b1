import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { defaultSecretFile, loadSecret, parseSecret, SECRET_ENV, SecretKey } from './secret.js';
import { SecretError } from '../config/private-file.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-secret-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const noEnv = {};

describe('loadSecret', () => {
  it('creates secret.key beside the store: 32 random bytes, mode 0600, directory 0700', () => {
    const store = join(freshDir(), 'state', 'sheriff.db');
    const file = defaultSecretFile(store);
    assert.equal(file, join(dirname(store), 'secret.key'));
    const key = loadSecret({ storePath: store, env: noEnv });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^[0-9a-f]{64}\n$/);
    assert.equal(key.source, `the secret key file ${file}`);
    // The same key on the next start; the file is not rewritten.
    const again = loadSecret({ storePath: store, env: noEnv });
    assert.equal(again.mac('x'), key.mac('x'));
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(key.mac('x'), parseSecret(text, 'test').mac('x'));
    // Two stores, two keys.
    const other = loadSecret({ storePath: join(freshDir(), 'sheriff.db'), env: noEnv });
    assert.notEqual(other.mac('x'), key.mac('x'));
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    it(`refuses a key file with mode ${mode.toString(8)}, naming the file`, () => {
      const file = join(freshDir(), 'secret.key');
      loadSecret({ file, env: noEnv });
      chmodSync(file, mode);
      assert.throws(
        () => loadSecret({ file, env: noEnv }),
        (err: unknown) =>
          err instanceof SecretError &&
          err.message.includes(file) &&
          err.message.includes(`mode 0${mode.toString(8)}`) &&
          err.message.includes(`chmod 600 ${file}`) &&
          !err.message.includes(readFileSync(file, 'utf8').trim()),
      );
    });
  }

  it('refuses a symbolic link, a short key and a malformed key, never quoting it', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const real = join(dir, 'real.key');
    writeFileSync(real, randomBytes(32).toString('hex'), { mode: 0o600 });
    const link = join(dir, 'secret.key');
    symlinkSync(real, link);
    assert.throws(() => loadSecret({ file: link, env: noEnv }), /symbolic link/);

    const short = join(dir, 'short.key');
    const shortText = randomBytes(16).toString('hex');
    writeFileSync(short, shortText, { mode: 0o600 });
    assert.throws(
      () => loadSecret({ file: short, env: noEnv }),
      (err: unknown) =>
        err instanceof SecretError &&
        /16 bytes; at least 32/.test(err.message) &&
        err.message.includes(short) &&
        !err.message.includes(shortText),
    );
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'not a key at all!', { mode: 0o600 });
    assert.throws(() => loadSecret({ file: bad, env: noEnv }), /neither hex nor base64/);
  });

  it('SHERIFF_SECRET (hex or base64) overrides the file, which is then not created', () => {
    const bytes = randomBytes(32);
    const file = join(freshDir(), 'secret.key');
    const expected = new SecretKey(bytes, 'test').mac('data');
    for (const value of [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      `  ${bytes.toString('hex')}\n`,
    ]) {
      const key = loadSecret({ file, env: { [SECRET_ENV]: value } });
      assert.equal(key.mac('data'), expected, value);
      assert.equal(key.source, 'the environment variable SHERIFF_SECRET');
    }
    assert.equal(existsSync(file), false);
    // An empty variable is as good as unset.
    loadSecret({ file, env: { [SECRET_ENV]: '' } });
    assert.equal(existsSync(file), true);
  });

  it('refuses a short or malformed SHERIFF_SECRET without echoing it', () => {
    const short = randomBytes(31).toString('hex');
    assert.throws(
      () => loadSecret({ file: join(freshDir(), 'k'), env: { [SECRET_ENV]: short } }),
      (err: unknown) =>
        err instanceof SecretError &&
        /SHERIFF_SECRET is 31 bytes; at least 32/.test(err.message) &&
        !err.message.includes(short),
    );
    assert.throws(
      () => loadSecret({ file: join(freshDir(), 'k'), env: { [SECRET_ENV]: 'p@ss word!' } }),
      (err: unknown) =>
        err instanceof SecretError &&
        /neither hex nor base64/.test(err.message) &&
        !err.message.includes('p@ss'),
    );
  });

  it('refuses a key file owned by another user', () => {
    const file = join(freshDir(), 'secret.key');
    loadSecret({ file, env: noEnv });
    const owner = statSync(file).uid;
    if (owner === 0) {
      // Root-owned files are accepted by everyone; check the rule as a non-root reader.
      assert.doesNotThrow(() => loadSecret({ file, env: noEnv, uid: 1000 }));
    } else {
      assert.throws(() => loadSecret({ file, env: noEnv, uid: owner + 1 }), /belongs to uid/);
    }
  });
});

describe('SecretKey', () => {
  it('never shows the key: not in String(), JSON or inspect', () => {
    const bytes = randomBytes(32);
    const key = new SecretKey(bytes, 'test');
    const hex = bytes.toString('hex');
    const b64 = bytes.toString('base64');
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), inspect({ key })]) {
      assert.ok(!shown.includes(hex) && !shown.includes(b64), shown);
      assert.match(shown, /SecretKey/);
    }
  });

  it('verifies MACs in constant time and rejects malformed ones', () => {
    const key = new SecretKey(randomBytes(32), 'test');
    const mac = key.mac('hello');
    assert.match(mac, /^[0-9a-f]{64}$/);
    assert.equal(key.verify('hello', mac), true);
    assert.equal(key.verify('hello!', mac), false);
    assert.equal(key.verify('hello', mac.toUpperCase()), false);
    assert.equal(key.verify('hello', mac.slice(0, 62)), false);
    assert.equal(key.verify('hello', ''), false);
    assert.throws(() => new SecretKey(randomBytes(31), 'test'), SecretError);
  });
});
