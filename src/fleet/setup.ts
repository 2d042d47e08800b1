/**
 * What `sheriff fleet init/add-host/revoke-host` write: the NATS server's
 * configuration and accounts, the hub's credentials and decision-signing key,
 * and for each host a directory to copy to that host (its seed, the hub's
 * public key, the CA, and the `fleet:` section for its sheriff.yaml).
 *
 * Layout of the fleet directory:
 *   fleet.json          who is in the fleet (names, public keys)
 *   nats-server.conf    the server (listener, JetStream, TLS) + include accounts.conf
 *   accounts.conf       users and permissions, rewritten from fleet.json
 *   hub-public.pem      the hub's decision key, public half
 *   hub/                hub.seed, hub-signing.pem (0600), hub.yaml
 *   tls/                ca.pem, ca.key, server.pem, server.key (with --tls)
 *   hosts/NAME/         nats.seed (0600), hub-public.pem, ca.pem, sheriff-fleet.yaml
 */
import { SetupError } from '../config/errors.js';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  newNkeyUser,
  readFleetState,
  replaceFile,
  writeFleetState,
  writePrivateFile,
  type FleetState,
} from './credentials.js';
import { accountsConfig, serverConfig } from './nats-config.js';
import { isHostName } from './protocol.js';
import { generateDecisionKeyPair } from './signing.js';
import { makeFleetTls } from './tls-ca.js';

/** What the admin asked for cannot be done; `code` names the message the CLI shows. */
export class FleetSetupError extends SetupError {
  constructor(
    readonly code:
      | 'exists'
      | 'not-fleet'
      | 'bad-host'
      | 'duplicate-host'
      | 'host-exists'
      | 'no-such-host'
      | 'bad-listen',
    readonly params: Record<string, string>,
  ) {
    super(`${code}: ${JSON.stringify(params)}`);
    this.name = 'FleetSetupError';
  }
}

/** Where a host's directory is meant to be copied to on that host. */
export const SENSOR_FLEET_DIR = '/etc/sheriff/fleet';

export const fleetFiles = (dir: string) => ({
  state: join(dir, 'fleet.json'),
  server: join(dir, 'nats-server.conf'),
  accounts: join(dir, 'accounts.conf'),
  hubPublic: join(dir, 'hub-public.pem'),
  hubDir: join(dir, 'hub'),
  hubSeed: join(dir, 'hub', 'hub.seed'),
  hubSigningKey: join(dir, 'hub', 'hub-signing.pem'),
  hubConfig: join(dir, 'hub', 'hub.yaml'),
  tlsDir: join(dir, 'tls'),
  caFile: join(dir, 'tls', 'ca.pem'),
  hostsDir: join(dir, 'hosts'),
  hostDir: (name: string) => join(dir, 'hosts', name),
});

export interface InitOptions {
  dir: string;
  hosts: string[];
  /** Make a CA and a server certificate; clients then connect with TLS. */
  tls: boolean;
  /** The names sensors reach the server by (the first one is in the URL; all are in the certificate). */
  serverNames: string[];
  /** `host:port` the server listens on. */
  listen: string;
  /** JetStream's store directory on the server. */
  storeDir: string;
}

/** A fleet exists in `dir` already. */
export function isFleetDir(dir: string): boolean {
  return existsSync(fleetFiles(dir).state);
}

/** The URL for a name and port, with brackets around an IPv6 address. */
function serverUrl(tls: boolean, name: string, port: string): string {
  return `${tls ? 'tls' : 'nats'}://${isIP(name) === 6 ? `[${name}]` : name}:${port}`;
}

/** Writes a new fleet into `dir` (which must hold none). Returns the files written, for the admin. */
export async function initFleet(o: InitOptions): Promise<FleetState> {
  const dir = resolve(o.dir);
  const f = fleetFiles(dir);
  if (isFleetDir(dir)) throw new FleetSetupError('exists', { file: f.state });
  for (const host of o.hosts) checkHostName(host);
  const twice = o.hosts.find((h, i) => o.hosts.indexOf(h) !== i);
  if (twice !== undefined) throw new FleetSetupError('duplicate-host', { host: twice });
  const port = /^[^\s]+:(\d{1,5})$/.exec(o.listen)?.[1];
  if (port === undefined || Number(port) > 65535)
    throw new FleetSetupError('bad-listen', { listen: o.listen });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(f.hubDir, { mode: 0o700 });
  mkdirSync(f.hostsDir, { mode: 0o755 });

  let tlsFiles: { certFile: string; keyFile: string } | undefined;
  if (o.tls) {
    mkdirSync(f.tlsDir, { mode: 0o700 });
    tlsFiles = await makeFleetTls(f.tlsDir, o.serverNames);
  }
  const keys = generateDecisionKeyPair();
  writePrivateFile(f.hubSigningKey, keys.privatePem);
  replaceFile(f.hubPublic, keys.publicPem);
  const hub = newNkeyUser();
  writePrivateFile(f.hubSeed, hub.seed + '\n');

  const state: FleetState = {
    v: 1,
    servers: [serverUrl(o.tls, o.serverNames[0] ?? 'localhost', port)],
    tls: o.tls,
    hub: { nkey: hub.nkey },
    hosts: [],
  };
  const hubConfig = {
    hub: {
      servers: state.servers,
      seedFile: f.hubSeed,
      signingKey: f.hubSigningKey,
      ...(o.tls ? { caFile: f.caFile } : {}),
      replicas: 1,
    },
  };
  replaceFile(
    f.hubConfig,
    `# The hub's connection to NATS: add to the hub's sheriff.yaml.\n${stringify(hubConfig)}` +
      '  # Its records in PostgreSQL rather than the local store (the password in PGPASSWORD\n' +
      '  # or a 0600 databasePasswordFile, never here):\n' +
      '  # database: postgres://sheriff@localhost/sheriff\n',
  );
  replaceFile(
    f.server,
    serverConfig({
      serverName: o.serverNames[0] ?? 'sheriff',
      listen: o.listen,
      storeDir: o.storeDir,
      tls: tlsFiles,
      accountsInclude: 'accounts.conf',
    }),
  );
  for (const name of o.hosts) writeHostDir(dir, state, name);
  saveFleet(dir, state);
  grantNatsServer(f, o.storeDir, tlsFiles?.keyFile);
  return state;
}

/** The `nats` user Debian's nats-server package runs the server as, or null. */
export function natsServerUser(passwd = '/etc/passwd'): { uid: number; gid: number } | null {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  const m = /^nats:[^:]*:(\d+):(\d+):/m.exec(text);
  return m === null ? null : { uid: Number(m[1]), gid: Number(m[2]) };
}

/**
 * Debian's nats-server runs as the user `nats`: when root writes the fleet, it
 * lets that user read the server key (group nats, 0640) and own the JetStream
 * store. Everything else the server reads is public (0644).
 */
function grantNatsServer(
  f: ReturnType<typeof fleetFiles>,
  storeDir: string,
  keyFile?: string,
): void {
  const nats = natsServerUser();
  if (nats === null || process.getuid?.() !== 0) return;
  mkdirSync(storeDir, { recursive: true, mode: 0o750 });
  chownSync(storeDir, nats.uid, nats.gid);
  if (keyFile === undefined) return;
  chownSync(f.tlsDir, 0, nats.gid);
  chmodSync(f.tlsDir, 0o750);
  chownSync(keyFile, 0, nats.gid);
  chmodSync(keyFile, 0o640);
}

/** The host's directory: its seed, the hub's public key, the CA, its `fleet:` section. */
function writeHostDir(dir: string, state: FleetState, name: string): void {
  const f = fleetFiles(dir);
  const hostDir = f.hostDir(name);
  mkdirSync(hostDir, { mode: 0o700 });
  const user = newNkeyUser();
  writePrivateFile(join(hostDir, 'nats.seed'), user.seed + '\n');
  copyFileSync(f.hubPublic, join(hostDir, 'hub-public.pem'));
  if (state.tls) copyFileSync(f.caFile, join(hostDir, 'ca.pem'));
  const fleet = {
    fleet: {
      host: name,
      servers: state.servers,
      seedFile: `${SENSOR_FLEET_DIR}/nats.seed`,
      hubPublicKey: `${SENSOR_FLEET_DIR}/hub-public.pem`,
      ...(state.tls ? { caFile: `${SENSOR_FLEET_DIR}/ca.pem` } : {}),
      groups: [],
    },
  };
  replaceFile(
    join(hostDir, 'sheriff-fleet.yaml'),
    `# Copy this directory to ${SENSOR_FLEET_DIR} on ${name} (mode 0700, nats.seed 0600),\n` +
      `# and add this section to its sheriff.yaml.\n${stringify(fleet)}`,
  );
  state.hosts.push({ name, nkey: user.nkey });
}

/** fleet.json and the accounts file it determines, rewritten together. */
function saveFleet(dir: string, state: FleetState): void {
  const f = fleetFiles(dir);
  replaceFile(f.accounts, accountsConfig({ hub: state.hub.nkey, hosts: state.hosts }));
  writeFleetState(f.state, state);
}

function checkHostName(host: string): void {
  if (!isHostName(host)) throw new FleetSetupError('bad-host', { host });
}

function loadFleet(dir: string): FleetState {
  const file = fleetFiles(dir).state;
  if (!existsSync(file)) throw new FleetSetupError('not-fleet', { dir });
  return readFleetState(file);
}

/** Adds a host with new credentials. */
export function addHost(dirArg: string, name: string): FleetState {
  const dir = resolve(dirArg);
  checkHostName(name);
  const state = loadFleet(dir);
  if (state.hosts.some((h) => h.name === name))
    throw new FleetSetupError('host-exists', { host: name });
  // A leftover directory of a revoked host would mix old and new credentials.
  rmSync(fleetFiles(dir).hostDir(name), { recursive: true, force: true });
  writeHostDir(dir, state, name);
  saveFleet(dir, state);
  return state;
}

/** Removes a host: its user leaves the accounts file (effective on reload) and its directory goes. */
export function revokeHost(dirArg: string, name: string): FleetState {
  const dir = resolve(dirArg);
  const state = loadFleet(dir);
  if (!state.hosts.some((h) => h.name === name))
    throw new FleetSetupError('no-such-host', { host: name });
  state.hosts = state.hosts.filter((h) => h.name !== name);
  saveFleet(dir, state);
  rmSync(fleetFiles(dir).hostDir(name), { recursive: true, force: true });
  return state;
}
