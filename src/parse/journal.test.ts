import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJournalRecord } from './journal.js';

describe('journal records', () => {
  it('reads a byte-array MESSAGE, and takes an array of anything else as no message', () => {
    const bytes = [...Buffer.from('Failed password for root from 203.0.113.5 port 1 ssh2')];
    const ok = parseJournalRecord(JSON.stringify({ MESSAGE: bytes, _COMM: 'sshd', _PID: '7' }));
    assert.match(ok?.message ?? '', /^Failed password for root from 203\.0\.113\.5/);
    // Found by the termination property test: an object whose toString is a string made Buffer.from throw.
    const hostile = JSON.stringify({ MESSAGE: [{ toString: 'x' }, 300, -1], _COMM: 'sshd' });
    assert.doesNotThrow(() => parseJournalRecord(hostile));
    assert.equal(parseJournalRecord(hostile)?.message ?? null, null);
  });
});
