import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoSources, type MachineProbe } from './auto.js';

const probe = (files: string[], journalctl: boolean, journalLines = true): MachineProbe => ({
  exists: (p) => files.includes(p),
  hasProgram: () => journalctl,
  journalHasLines: () => journalLines,
});

describe('automatic sources', () => {
  it('chooses auth.log, then secure, then journald, else nothing', () => {
    const files = (p: MachineProbe) =>
      autoSources(p).sources.map((s) => (s.type === 'file' ? s.path : s.type));
    assert.deepEqual(files(probe(['/var/log/auth.log', '/var/log/secure'], true)), [
      '/var/log/auth.log',
    ]);
    assert.deepEqual(files(probe(['/var/log/secure'], true)), ['/var/log/secure']);
    assert.deepEqual(files(probe(['/run/systemd/journal/socket'], true)), ['journald']);
    assert.deepEqual(files(probe(['/run/systemd/journal/socket'], false)), []);
    assert.deepEqual(files(probe([], true)), []);
  });

  it('says why it reads nothing: none found, or a journal with no sshd line', () => {
    assert.equal(autoSources(probe(['/var/log/auth.log'], true)).warning, null);
    assert.deepEqual(autoSources(probe([], true)).warning, { code: 'none-found' });
    // Old journal files without a running journald add no line: nothing found.
    assert.deepEqual(autoSources(probe(['/var/log/journal'], true)).warning, {
      code: 'none-found',
    });
    assert.deepEqual(autoSources(probe(['/run/systemd/journal/socket'], true, false)), {
      sources: [
        { type: 'journald', units: ['ssh.service', 'sshd.service'], journalctl: 'journalctl' },
      ],
      warning: { code: 'journal-empty' },
    });
  });
});
