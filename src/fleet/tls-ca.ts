/**
 * The fleet's own certificate authority, for TLS between sensors and NATS: a
 * CA and one server certificate signed by it, made with the openssl program
 * (arguments as an array, never a shell). Sensors trust only this CA, so the
 * fleet needs no public certificate and a stranger's certificate is refused.
 */
import { execFile } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FleetTlsFiles {
  caFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

/** A DNS name or an IP address a server certificate may name. */
const DNS_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isServerName(name: string): boolean {
  return isIP(name) !== 0 || DNS_NAME.test(name);
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message?: string };
    if (e.code === 'ENOENT') throw new Error('the openssl program is missing: apt install openssl');
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message ?? '').trim()}`, {
      cause: err,
    });
  }
}

/**
 * Makes `ca.pem`/`ca.key` and `server.pem`/`server.key` in `dir` (keys mode
 * 0600), the server certificate valid for `names` (DNS names or addresses).
 * It serves clients and, in a cluster, is also what a node shows another when
 * it dials its route (nats-server verifies routes both ways): hence clientAuth.
 */
export async function makeFleetTls(dir: string, names: string[]): Promise<FleetTlsFiles> {
  if (names.length === 0) throw new Error('the server certificate needs at least one name');
  for (const n of names)
    if (!isServerName(n)) throw new Error(`not a DNS name or IP address: ${JSON.stringify(n)}`);
  const files: FleetTlsFiles = {
    caFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca.key'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    files.caKeyFile,
    '-out',
    files.caFile,
    '-days',
    '3650',
    '-subj',
    '/CN=Sheriff fleet CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(files.caKeyFile, 0o600);
  await openssl(['req', ...ec, '-keyout', files.keyFile, '-out', csr, '-subj', `/CN=${names[0]}`]);
  chmodSync(files.keyFile, 0o600);
  const san = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(
    ext,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`,
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    files.caFile,
    '-CAkey',
    files.caKeyFile,
    '-CAcreateserial',
    '-days',
    '825',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    files.certFile,
  ]);
  for (const f of [csr, ext, join(dir, 'ca.srl')]) rmSync(f, { force: true });
  return files;
}
