import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../testing/paths.js';
import { daemonV8Flags } from './idle.js';

describe('idle bench', () => {
  it('runs the floor with the V8 flags bin/sheriff gives watch', () => {
    const flags = daemonV8Flags(REPO_ROOT);
    assert.ok(flags.includes('--max-semi-space-size=2'), flags.join(' '));
    assert.ok(flags.includes('--no-maglev'), flags.join(' '));
    assert.ok(
      flags.every((f) => f.startsWith('--')),
      flags.join(' '),
    );
  });
});
