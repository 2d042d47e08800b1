/**
 * Built-in filters stored as JSON at build time: read back, each is the filter its
 * YAML gives, samples included; a YAML edited since is read from the YAML, and so
 * is a filter that includes another whose file is not the one it was stored with.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { precompileFilters } from '../packaging/precompile-filters.js';
import type { LoadedFilter } from './load.js';
import { textHash } from './precompiled.js';
import { BUILTIN_FILTER_DIR, FilterRegistry } from './registry.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-precompiled-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Everything a caller can read of a filter, samples included. */
const whole = (f: LoadedFilter) => ({
  spec: f.spec,
  path: f.path,
  origin: f.origin,
  references: f.references,
  fail2ban: f.fail2ban,
  ruleAt: [...f.ruleAt],
  includes: f.includes,
  samples: f.samples,
});

describe('precompiled built-in filters', () => {
  const dir = join(root, 'compiled');
  const stored = precompileFilters(dir);

  it('gives every built-in exactly as its YAML does', async () => {
    const names = await stored;
    const fromJson = new FilterRegistry(null, BUILTIN_FILTER_DIR, true, dir);
    const fromYaml = new FilterRegistry(null, BUILTIN_FILTER_DIR, true, join(root, 'none'));
    assert.deepEqual(names, fromYaml.names());
    for (const name of fromYaml.names())
      assert.deepEqual(whole(fromJson.get(name)!), whole(fromYaml.get(name)!), name);
  });

  it('is what the registry reads while the YAML is unchanged', async () => {
    await stored;
    // A stored spec told apart from the YAML's: the registry must hand out this one.
    const json = join(dir, 'sshd.json');
    const original = readFileSync(json, 'utf8');
    try {
      const marked = JSON.parse(original) as { spec: { description: string } };
      marked.spec.description = 'from the JSON';
      writeFileSync(json, JSON.stringify(marked));
      // Samples asked for or not (`sheriff filters` asks for every filter's).
      for (const samplesLater of [true, false]) {
        const registry = new FilterRegistry(null, BUILTIN_FILTER_DIR, samplesLater, dir);
        assert.equal(registry.spec('sshd')!.description, 'from the JSON');
        assert.ok(registry.get('sshd')!.samples.length > 0);
      }
    } finally {
      writeFileSync(json, original);
    }
  });

  it('reads a built-in edited since the build from its YAML', async () => {
    await stored;
    const builtins = mkdtempSync(join(root, 'builtins-'));
    const text = readFileSync(join(BUILTIN_FILTER_DIR, 'sshd.yaml'), 'utf8');
    const edited = text.replace(/^description: .*$/m, 'description: edited after the build');
    assert.notEqual(textHash(edited), textHash(text));
    writeFileSync(join(builtins, 'sshd.yaml'), edited);
    const registry = new FilterRegistry(null, builtins, true, dir);
    assert.equal(registry.spec('sshd')!.description, 'edited after the build');
    assert.equal(registry.get('sshd')!.path, join(builtins, 'sshd.yaml'));
  });

  it('stores a filter that includes another, used only while that file is unchanged', async () => {
    const names = await stored;
    // dovecot includes pam-generic, which an admin's file may replace.
    assert.ok(names.includes('dovecot'));
    const builtins = mkdtempSync(join(root, 'includes-'));
    for (const f of ['dovecot.yaml', 'pam-generic.yaml'])
      copyFileSync(join(BUILTIN_FILTER_DIR, f), join(builtins, f));
    const json = join(dir, 'dovecot.json');
    const original = readFileSync(json, 'utf8');
    const user = mkdtempSync(join(root, 'user-'));
    const pam = readFileSync(join(BUILTIN_FILTER_DIR, 'pam-generic.yaml'), 'utf8');
    try {
      const marked = JSON.parse(original) as { spec: { description: string } };
      marked.spec.description = 'from the JSON';
      writeFileSync(json, JSON.stringify(marked));
      const builtin = new FilterRegistry(null, builtins, true, dir).get('dovecot')!;
      assert.equal(builtin.spec.description, 'from the JSON');
      assert.ok([...builtin.ruleAt.values()].some((at) => at.startsWith(builtins)));
      // The admin's copy of the same text gives the same rules, from the admin's file.
      writeFileSync(join(user, 'pam-generic.yaml'), pam);
      const same = new FilterRegistry(user, builtins, true, dir).get('dovecot')!;
      assert.equal(same.spec.description, 'from the JSON');
      assert.ok([...same.ruleAt.values()].some((at) => at.startsWith(user)));
      // An admin's own PAM filter (any other text): dovecot is read from its YAML.
      writeFileSync(
        join(user, 'pam-generic.yaml'),
        pam.replace(/^description: .*$/m, 'description: our own PAM filter'),
      );
      const own = new FilterRegistry(user, builtins, true, dir).get('dovecot')!;
      assert.notEqual(own.spec.description, 'from the JSON');
      assert.ok([...own.ruleAt.values()].some((at) => at.startsWith(user)));
    } finally {
      writeFileSync(json, original);
    }
  });
});
