/**
 * Building blocks of the end-to-end scenario inside a Sandbox: hosts in
 * network namespaces joined to a server namespace by veth pairs (documentation
 * addresses only), OpenSSH's real sshd logging through the sandbox's rsyslog,
 * and real ssh clients driven by sshpass.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANG_GUARD_MS } from '../wait.js';
import type { Sandbox } from './client.js';

export interface Host {
  ns: string;
  ip: string;
}

/** The server namespace `srv` and one namespace per client, each on its own /24 with the server. */
export async function network(
  box: Sandbox,
  clients: Record<string, string>,
): Promise<Record<string, Host>> {
  await box.must(['ip', 'netns', 'add', 'srv']);
  await box.must(['ip', '-n', 'srv', 'link', 'set', 'lo', 'up']);
  const hosts: Record<string, Host> = {};
  let n = 0;
  for (const [name, ip] of Object.entries(clients)) {
    const serverIp = ip.replace(/\.\d+$/, '.1');
    const [a, b] = [`vs${n}`, `vc${n}`];
    n++;
    await box.must(['ip', 'netns', 'add', name]);
    await box.must([
      'ip',
      'link',
      'add',
      a,
      'netns',
      'srv',
      'type',
      'veth',
      'peer',
      'name',
      b,
      'netns',
      name,
    ]);
    await box.must(['ip', '-n', 'srv', 'addr', 'add', `${serverIp}/24`, 'dev', a]);
    await box.must(['ip', '-n', name, 'addr', 'add', `${ip}/24`, 'dev', b]);
    for (const [ns, dev] of [
      ['srv', a],
      [name, b],
      [name, 'lo'],
    ] as const)
      await box.must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    hosts[name] = { ns: name, ip };
  }
  return hosts;
}

/** sshd on port 22 of every server address, password authentication on, logging to syslog (AUTH, VERBOSE). */
export async function startSshd(box: Sandbox): Promise<void> {
  const w = box.work;
  await box.must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(w, 'host_key')]);
  writeFileSync(
    join(w, 'sshd_config'),
    [
      'Port 22',
      `HostKey ${join(w, 'host_key')}`,
      `PidFile ${join(w, 'sshd.pid')}`,
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'LogLevel VERBOSE',
      'SyslogFacility AUTH',
      'StrictModes no',
      'MaxStartups 100',
      '',
    ].join('\n'),
  );
  await box.start('sshd', [
    'ip',
    'netns',
    'exec',
    'srv',
    '/usr/sbin/sshd',
    '-D',
    '-f',
    join(w, 'sshd_config'),
  ]);
}

/** One ssh login attempt with a wrong password; resolves when the client gives up. */
export async function failLogin(
  box: Sandbox,
  from: Host,
  server: string,
  user = 'admin',
): Promise<void> {
  await box.run(
    [
      'ip',
      'netns',
      'exec',
      from.ns,
      'sshpass',
      '-p',
      'wrong-password',
      'ssh',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'PreferredAuthentications=password',
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'NumberOfPasswordPrompts=1',
      '-o',
      'ConnectTimeout=2',
      `${user}@${server}`,
      'true',
    ],
    { timeoutMs: HANG_GUARD_MS },
  );
}

/**
 * Whether a TCP connection from `from` to server:22 opens within a second of trying: a dropped
 * SYN is never answered, so that second is how a block shows. Starting the probe is not timed.
 */
export async function canConnect(box: Sandbox, from: Host, server: string): Promise<boolean> {
  const probe = `const s=require('net').connect(22,${JSON.stringify(server)});s.setTimeout(1000);s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(1));s.on('error',()=>process.exit(1));`;
  const r = await box.run(['ip', 'netns', 'exec', from.ns, process.execPath, '-e', probe], {
    timeoutMs: HANG_GUARD_MS,
  });
  return r.code === 0;
}
