/** Tools that read this host's state: load, memory, network counters, sessions, listening ports. */
import { z } from 'zod';
import { parseListening } from '../../net/listening.js';
import { spotlight } from '../untrusted.js';
import { tool } from './tool.js';

/** /proc/loadavg → the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return { load1: a ?? NaN, load5: b ?? NaN, load15: c ?? NaN };
}

/** /proc/meminfo → total and available memory in MiB. */
export function parseMeminfo(text: string): { totalMiB: number; availableMiB: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return {
    totalMiB: Math.round(kb('MemTotal') / 1024),
    availableMiB: Math.round(kb('MemAvailable') / 1024),
  };
}

/** /proc/net/dev → bytes and packets per interface (loopback left out). */
export function parseNetDev(
  text: string,
): { iface: string; rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }[] {
  const out = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const iface = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (iface === 'lo' || f.length < 16) continue;
    out.push({ iface, rxBytes: f[0]!, rxPackets: f[1]!, txBytes: f[8]!, txPackets: f[9]! });
  }
  return out;
}

export const hostStatus = tool({
  name: 'host_status',
  description:
    "This server's load averages, memory (MiB) and network byte/packet counters per interface, read from /proc.",
  schema: z.strictObject({}),
  async run(_args, ctx) {
    const [load, mem, net] = await Promise.all([
      ctx.deps.host.readFile('/proc/loadavg'),
      ctx.deps.host.readFile('/proc/meminfo'),
      ctx.deps.host.readFile('/proc/net/dev'),
    ]);
    return { load: parseLoadavg(load), memory: parseMeminfo(mem), network: parseNetDev(net) };
  },
});

export const loggedInUsers = tool({
  name: 'logged_in_users',
  description:
    'Who is logged in right now and from where: utmp sessions (who) and established SSH connections (ss).',
  schema: z.strictObject({}),
  async run(_args, ctx) {
    const sessions = await ctx.deps.host.sessions.sessions(ctx.now);
    return {
      sessions: sessions.slice(0, 50).map((s) => ({
        address: s.address,
        via: s.via,
        detail: spotlight('session', s.detail, 80),
      })),
    };
  },
});

export const listeningPorts = tool({
  name: 'listening_ports',
  description: 'TCP ports this server listens on, with the owning process (ss -ltnp).',
  schema: z.strictObject({}),
  async run(_args, ctx) {
    const ports = parseListening(await ctx.deps.host.run('ss', ['-ltnpH']));
    return {
      ports: ports.slice(0, 100).map((p) => ({
        ...p,
        processes: p.processes.map((q) => ({ pid: q.pid, name: spotlight('process', q.name, 40) })),
      })),
    };
  },
});
