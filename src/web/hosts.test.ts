/**
 * Which Host values the console answers to, for the listen forms a loopback
 * test server cannot take (every interface, a DNS name, the default ports).
 * The HTTP side is in attack.system.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostChecker, isHostName } from './hosts.js';

function accepted(o: Parameters<typeof hostChecker>[0], hosts: string[]): string[] {
  const names = hostChecker(o);
  return hosts.filter(names);
}

describe('Host check', () => {
  it('listening on every interface: any address of this machine with the port, and localhost', () => {
    for (const host of ['0.0.0.0', '::'])
      assert.deepEqual(
        accepted({ host, port: 8740, tls: false, hostnames: [] }, [
          '192.0.2.7:8740',
          '[2001:db8::1]:8740',
          'localhost:8740',
          '192.0.2.7:8741',
          '192.0.2.7',
          'rebind.attacker.example:8740',
          '192.0.2.7.nip.io:8740',
        ]),
        ['192.0.2.7:8740', '[2001:db8::1]:8740', 'localhost:8740'],
      );
  });

  it('listening on a name or address at the default port: without a port too, never the loopback names', () => {
    assert.deepEqual(
      accepted({ host: 'console.lan', port: 80, tls: false, hostnames: [] }, [
        'console.lan',
        'CONSOLE.lan.:80',
        'console.lan:443',
        'localhost',
        '127.0.0.1',
      ]),
      ['console.lan', 'CONSOLE.lan.:80'],
    );
    assert.deepEqual(
      accepted({ host: '2001:db8::9', port: 443, tls: true, hostnames: [] }, [
        '[2001:db8:0::9]',
        '[2001:db8::9]:443',
        '[2001:db8::9]:80',
        '2001:db8::9',
      ]),
      ['[2001:db8:0::9]', '[2001:db8::9]:443'],
    );
  });

  it('refuses malformed Host values', () => {
    const names = hostChecker({ host: '127.0.0.1', port: 8740, tls: false, hostnames: [] });
    for (const bad of ['', ':8740', '[::1', '[::1]x', '127.0.0.1:8740:1', '[evil.example]:8740'])
      assert.equal(names(bad), false, bad);
  });

  it('takes DNS names and addresses in web.hostnames, nothing else', () => {
    for (const good of [
      'sheriff.example.org',
      'Console.Example.Org.',
      'a-b.c1',
      '192.0.2.1',
      '[::1]',
      '2001:db8::1',
    ])
      assert.ok(isHostName(good), good);
    for (const bad of [
      '',
      'https://x.example',
      'x.example:8443',
      'x.example/path',
      '*.example.org',
      '-x.example',
      'a..b',
      'a b',
      `${'a'.repeat(64)}.example`,
    ])
      assert.ok(!isHostName(bad), bad);
  });
});
