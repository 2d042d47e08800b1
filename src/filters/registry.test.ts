/**
 * The registry: built-ins and the admin's directory, read lazily, a user file
 * replacing a built-in of the same name, and a bad user file refused when read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig } from '../app/parse-config.js';
import { ConfigError } from '../config/errors.js';
import { BUILTIN_FILTER_DIR, FilterRegistry, filterRegistry } from './registry.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-filters-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeDir(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const builtin = (name: string) => readFileSync(join(BUILTIN_FILTER_DIR, `${name}.yaml`), 'utf8');

describe('filter registry', () => {
  it('finds the built-ins in filters/ at the package root', () => {
    const names = new FilterRegistry().names();
    for (const name of ['sshd', 'dropbear', 'pam-generic', 'postfix', 'dovecot'])
      assert.ok(names.includes(name), name);
  });

  it('reads only the filters asked for: a broken file costs nothing until named', () => {
    const builtins = makeDir('builtins', {
      'sshd.yaml': builtin('sshd'),
      'broken.yaml': 'name: broken\nrules: [',
      'README.md': '# not a filter',
    });
    const registry = new FilterRegistry(null, builtins);
    assert.deepEqual(registry.names(), ['broken', 'sshd']);
    assert.equal(registry.spec('sshd')?.name, 'sshd');
    assert.equal(registry.spec('nope'), undefined);
    assert.throws(() => registry.get('broken'), ConfigError);
    assert.throws(() => registry.all(), /broken\.yaml:2: /);
  });

  it('lets a user file replace a built-in of the same name, and says which', () => {
    const replaced = builtin('pam-generic').replace(
      'description: PAM authentication failures with a remote host, from any program',
      'description: our own PAM filter',
    );
    const user = makeDir('user', { 'pam-generic.yaml': replaced, 'other.yaml': '' });
    const registry = new FilterRegistry(user);
    const f = registry.get('pam-generic')!;
    assert.equal(f.spec.description, 'our own PAM filter');
    assert.equal(f.origin, 'user');
    assert.equal(f.path, join(user, 'pam-generic.yaml'));
    assert.deepEqual(registry.overrides(), [
      { name: 'pam-generic', path: join(user, 'pam-generic.yaml') },
    ]);
    // dovecot includes pam-generic: it takes the filter in force.
    assert.equal(registry.get('dovecot')!.origin, 'built-in');
  });

  it("refuses a user filter whose sample fails (a built-in's samples are the tests' to check)", () => {
    const wrong = builtin('dropbear').replace(/address: 192\.0\.2\.10$/m, 'address: 192.0.2.99');
    assert.notEqual(wrong, builtin('dropbear'));
    const user = makeDir('user', { 'dropbear.yaml': wrong });
    assert.throws(
      () => new FilterRegistry(user).get('dropbear'),
      (err: unknown) =>
        err instanceof ConfigError &&
        /dropbear\.yaml:\d+: samples\.\d+\.line: sample fails: address: expected "192\.0\.2\.99"/.test(
          err.problems[0]!,
        ),
    );
    const builtins = makeDir('builtins', { 'dropbear.yaml': wrong });
    assert.equal(new FilterRegistry(null, builtins).get('dropbear')!.origin, 'built-in');
  });

  it('shows an imported filter as imported, and a missing user directory as none', () => {
    const user = makeDir('user', {
      'pam-generic.yaml': builtin('pam-generic').replace(
        'name: pam-generic\n',
        'name: pam-generic\norigin: imported\n',
      ),
    });
    assert.equal(new FilterRegistry(user).get('pam-generic')!.origin, 'imported');
    assert.deepEqual(new FilterRegistry(join(root, 'nowhere')).overrides(), []);
  });

  it('reads at start-up only the user filters the jails name', () => {
    const user = makeDir('user', {
      'demo.yaml': builtin('pam-generic').replace('name: pam-generic', 'name: demo'),
      'broken.yaml': 'name: broken\nrules: [',
    });
    const config = parseConfig(
      `filters: {dir: ${JSON.stringify(user)}}\njails: {demo: {}}\n`,
      'sheriff.yaml',
    );
    assert.deepEqual(Object.keys(config.jails), ['demo']);
    assert.throws(
      () => parseConfig(`filters: {dir: ${JSON.stringify(user)}}\njails: {broken: {}}\n`, 's.yaml'),
      /broken\.yaml:2: /,
    );
  });

  it('reads the directory afresh at each configuration load, so a reload sees a new filter', () => {
    const user = makeDir('user', {});
    const yaml = `filters: {dir: ${JSON.stringify(user)}}\njails: {demo: {}}\n`;
    assert.throws(() => parseConfig(yaml, 's.yaml'), /unknown filter "demo"/);
    writeFileSync(
      join(user, 'demo.yaml'),
      builtin('pam-generic').replace('name: pam-generic', 'name: demo'),
    );
    assert.deepEqual(Object.keys(parseConfig(yaml, 's.yaml').jails), ['demo']);
    assert.equal(filterRegistry(user).get('demo')?.origin, 'user');
  });
});
