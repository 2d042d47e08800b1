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

/**
 * A new namespace `ns` whose device `dev` (with `cidr`) is the peer of `peer[1]` in namespace
 * `peer[0]`; both ends and `ns`'s loopback up.
 */
async function joined(
  box: Sandbox,
  ns: string,
  dev: string,
  peer: readonly [string, string],
  cidr: string,
): Promise<void> {
  const [peerNs, peerDev] = peer;
  await box.must(['ip', 'netns', 'add', ns]);
  await box.must([
    'ip',
    'link',
    'add',
    peerDev,
    'netns',
    peerNs,
    'type',
    'veth',
    'peer',
    'name',
    dev,
    'netns',
    ns,
  ]);
  await box.must(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev]);
  for (const [n, d] of [
    [peerNs, peerDev],
    [ns, dev],
    [ns, 'lo'],
  ] as const)
    await box.must(['ip', '-n', n, 'link', 'set', d, 'up']);
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
    const [a, b] = [`vs${n}`, `vc${n}`];
    n++;
    await joined(box, name, b, ['srv', a], `${ip}/24`);
    await box.must([
      'ip',
      '-n',
      'srv',
      'addr',
      'add',
      `${ip.replace(/\.\d+$/, '.1')}/24`,
      'dev',
      a,
    ]);
    hosts[name] = { ns: name, ip };
  }
  return hosts;
}

/** sshd on port 22 of every server address, password authentication on, logging to syslog (AUTH, VERBOSE). */
export async function startSshd(box: Sandbox): Promise<void> {
  await startSshdIn(box, 'srv', { facility: 'AUTH' });
}

/**
 * sshd inside namespace `ns` (its own host key, config and pid file, named after `ns`), logging to
 * syslog with `facility`: LOCAL<N> lands in WORKDIR/local<N>.log, so each server has its own log.
 */
export async function startSshdIn(
  box: Sandbox,
  ns: string,
  o: { facility: 'AUTH' | `LOCAL${number}` },
): Promise<void> {
  const w = box.work;
  const key = join(w, `${ns}_host_key`);
  const config = join(w, `${ns}_sshd_config`);
  await box.must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
  writeFileSync(
    config,
    [
      'Port 22',
      `HostKey ${key}`,
      `PidFile ${join(w, `${ns}_sshd.pid`)}`,
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'LogLevel VERBOSE',
      `SyslogFacility ${o.facility}`,
      'StrictModes no',
      'MaxStartups 100',
      '',
    ].join('\n'),
  );
  await box.start(`sshd-${ns}`, ['ip', 'netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-f', config]);
}

/**
 * One LAN: a bridge in namespace `lan`, and a namespace per host on it with its address in
 * `prefix` (a /24 of documentation addresses), so every host reaches every other.
 */
export async function lan(
  box: Sandbox,
  prefix: string,
  members: Record<string, string>,
): Promise<Record<string, Host>> {
  await box.must(['ip', 'netns', 'add', 'lan']);
  await box.must(['ip', '-n', 'lan', 'link', 'add', 'br0', 'type', 'bridge']);
  await box.must(['ip', '-n', 'lan', 'link', 'set', 'br0', 'up']);
  const hosts: Record<string, Host> = {};
  let n = 0;
  for (const [name, ip] of Object.entries(members)) {
    const [a, b] = [`vl${n}`, `vh${n}`];
    n++;
    await joined(box, name, b, ['lan', a], `${ip}/${prefix.split('/')[1]}`);
    await box.must(['ip', '-n', 'lan', 'link', 'set', a, 'master', 'br0']);
    hosts[name] = { ns: name, ip };
  }
  return hosts;
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
