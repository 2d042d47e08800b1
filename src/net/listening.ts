/**
 * Listening TCP sockets of this host, from `ss -ltnpH`: what the agent's
 * listening_ports tool shows and what the daily report compares day to day.
 * Process names are whatever the programs called themselves: data, not text
 * to trust.
 */
import { canonicalIp } from './ip.js';

export interface ListeningPort {
  protocol: 'tcp';
  address: string;
  port: number;
  processes: { name: string; pid: number }[];
}

/**
 * `ss -ltnpH` → listening TCP sockets. A line is
 * `LISTEN 0 4096 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))`.
 */
export function parseListening(output: string): ListeningPort[] {
  const out: ListeningPort[] = [];
  for (const raw of output.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const local = fields.find((f, i) => i > 0 && /:(\d+|\*)$/.test(f));
    if (local === undefined) continue;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (!Number.isInteger(port)) continue;
    let host = local.slice(0, colon).replace(/^\[|\]$/g, '');
    const pct = host.indexOf('%');
    if (pct !== -1) host = host.slice(0, pct);
    const address = host === '*' ? '*' : (canonicalIp(host) ?? host);
    const processes = [...raw.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)].map((m) => ({
      name: m[1]!,
      pid: Number(m[2]),
    }));
    out.push({ protocol: 'tcp', address, port, processes });
  }
  return out;
}
