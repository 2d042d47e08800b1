/**
 * Built-in filters stored as JSON at build time: read back, each is the filter its
 * YAML gives; a YAML edited since is read from the YAML; a filter that includes
 * another file is not stored.
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
  samples: f.samples,
});

describe('precompiled built-in filters', () => {
  const dir = join(root, 'compiled');
  const stored = precompileFilters(dir);

  it('gives every built-in exactly as its YAML does', async () => {
    const names = await stored;
    assert.ok(names.includes('sshd'), names.join(', '));
    const fromJson = new FilterRegistry(null, BUILTIN_FILTER_DIR, true, dir);
    const fromYaml = new FilterRegistry(null, BUILTIN_FILTER_DIR, true, join(root, 'none'));
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
      const registry = new FilterRegistry(null, BUILTIN_FILTER_DIR, true, dir);
      assert.equal(registry.spec('sshd')!.description, 'from the JSON');
      // Asked for every sample (`sheriff filters`), it reads the YAML.
      const all = new FilterRegistry(null, BUILTIN_FILTER_DIR, false, dir);
      assert.notEqual(all.spec('sshd')!.description, 'from the JSON');
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

  it('does not store a filter that includes another file', async () => {
    const names = await stored;
    // dovecot includes pam-generic, which an admin's file may replace.
    assert.ok(!names.includes('dovecot'));
    const builtins = mkdtempSync(join(root, 'includes-'));
    for (const f of ['dovecot.yaml', 'pam-generic.yaml'])
      copyFileSync(join(BUILTIN_FILTER_DIR, f), join(builtins, f));
    const user = mkdtempSync(join(root, 'user-'));
    const pam = readFileSync(join(BUILTIN_FILTER_DIR, 'pam-generic.yaml'), 'utf8');
    writeFileSync(
      join(user, 'pam-generic.yaml'),
      pam.replace(/^description: .*$/m, 'description: our own PAM filter'),
    );
    const registry = new FilterRegistry(user, builtins, true, dir);
    assert.equal(registry.get('dovecot')!.ruleAt.size > 0, true);
    assert.ok([...registry.get('dovecot')!.ruleAt.values()].some((at) => at.startsWith(user)));
  });
});
