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
 *   nodes/nats-N/       with --cluster, one directory per NATS node instead of the two files
 *                       above: nats-server.conf (private: it holds the route password),
 *                       accounts.conf (every node's copy rewritten together), and with TLS
 *                       ca.pem, server.pem, server.key
 *   hub-public.pem      the hub's decision key, public half
 *   hub/                hub.seed, hub-signing.pem (0600), hub.yaml
 *   tls/                ca.pem, ca.key, server.pem, server.key (with --tls)
 *   hosts/NAME/         nats.seed (0600), hub-public.pem, ca.pem, sheriff-fleet.yaml
 *
 * A cluster's nodes share one server certificate naming every node, and
 * prove themselves to each other twice: the route password and, with TLS, the
 * certificate checked against the fleet CA.
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
import { randomBytes } from 'node:crypto';
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
import { accountsConfig, serverConfig, type ClusterRoutes } from './nats-config.js';
import { isHostName } from './host-name.js';
import { generateDecisionKeyPair } from './signing.js';
import { makeFleetTls, type FleetTlsFiles } from './tls-ca.js';

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
      | 'bad-listen'
      | 'bad-cluster'
      | 'cluster-count'
      | 'same-node',
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
  nodesDir: join(dir, 'nodes'),
  nodeDir: (name: string) => join(dir, 'nodes', name),
});

export interface InitOptions {
  dir: string;
  hosts: string[];
  /** Make a CA and a server certificate; clients then connect with TLS. */
  tls: boolean;
  /**
   * The names sensors reach NATS by, all in the certificate. One server: the
   * first is in the URL. A cluster: one per node, or one for every node (then
   * told apart by their ports).
   */
  serverNames: string[];
  /** `host:port` the server listens on for clients; a cluster: one for every node, or one per node. */
  listen: string[];
  /** JetStream's store directory on the server; a cluster node's is the subdirectory of its name. */
  storeDir: string;
  /** How many NATS nodes: 1 (default), or an odd number from 3 for a JetStream cluster. */
  cluster?: number;
  /** A cluster's route listeners, `host:port`: one for every node, or one per node. */
  clusterListen?: string[];
}

/** The replicas JetStream keeps of each stream: one per node, at most 5 (JetStream's limit). */
export function replicasFor(nodes: number): 1 | 3 | 5 {
  return nodes >= 5 ? 5 : nodes >= 3 ? 3 : 1;
}

/** One NATS server of the fleet: where clients and (in a cluster) the other nodes reach it. */
interface NodePlan {
  name: string;
  /** `host:port` it listens on for clients. */
  listen: string;
  /** The URL sensors and the hub use. */
  url: string;
  /** `host:port` clients are told (a cluster's gossip), or undefined for one server. */
  advertise?: string;
  /** Its route listener and the `host:port` the other nodes dial (a cluster only). */
  routes?: { listen: string; advertise: string };
}

/** A fleet exists in `dir` already. */
export function isFleetDir(dir: string): boolean {
  return existsSync(fleetFiles(dir).state);
}

/** Where a cluster node listens for the others unless told. */
export const DEFAULT_CLUSTER_LISTEN = '0.0.0.0:6222';

/** `name:port`, with brackets around an IPv6 address. */
function hostPort(name: string, port: string): string {
  return `${isIP(name) === 6 ? `[${name}]` : name}:${port}`;
}

/** The port of a `host:port` listen address, or a refusal naming the option. */
function portOf(listen: string, option: string): string {
  const port = /^[^\s]+:(\d{1,5})$/.exec(listen)?.[1];
  if (port === undefined || Number(port) > 65535)
    throw new FleetSetupError('bad-listen', { option, listen });
  return port;
}

/** Where each NATS node listens and is reached, checked: every node reached at its own address. */
function planNodes(o: InitOptions): NodePlan[] {
  const scheme = o.tls ? 'tls' : 'nats';
  const count = o.cluster ?? 1;
  if (count === 1) {
    const listen = o.listen.join(',');
    if (o.listen.length !== 1)
      throw new FleetSetupError('bad-listen', { option: '--listen', listen });
    const port = portOf(listen, '--listen');
    const url = `${scheme}://${hostPort(o.serverNames[0] ?? 'localhost', port)}`;
    return [{ name: o.serverNames[0] ?? 'sheriff', listen, url }];
  }
  if (!Number.isInteger(count) || count < 3 || count % 2 === 0)
    throw new FleetSetupError('bad-cluster', { count: String(count) });
  // One value for every node, or one per node.
  const pick = (values: string[], option: string, i: number): string => {
    if (values.length !== 1 && values.length !== count)
      throw new FleetSetupError('cluster-count', {
        option,
        given: String(values.length),
        count: String(count),
      });
    return values[values.length === 1 ? 0 : i]!;
  };
  const nodes = Array.from({ length: count }, (_, i): NodePlan => {
    const host = pick(o.serverNames, '--server-name', i);
    const listen = pick(o.listen, '--listen', i);
    const routeListen = pick(o.clusterListen ?? [DEFAULT_CLUSTER_LISTEN], '--cluster-listen', i);
    const advertise = hostPort(host, portOf(listen, '--listen'));
    return {
      name: `nats-${i + 1}`,
      listen,
      url: `${scheme}://${advertise}`,
      advertise,
      routes: {
        listen: routeListen,
        advertise: hostPort(host, portOf(routeListen, '--cluster-listen')),
      },
    };
  });
  // Two nodes at one address would be one node twice: a cluster without its majority.
  for (const [i, node] of nodes.entries()) {
    for (const other of nodes.slice(0, i)) {
      for (const address of [node.advertise, node.routes?.advertise])
        if (address === other.advertise || address === other.routes?.advertise)
          throw new FleetSetupError('same-node', {
            a: other.name,
            b: node.name,
            address: address ?? '',
          });
    }
  }
  return nodes;
}

/** Writes a new fleet into `dir` (which must hold none). Returns the files written, for the admin. */
export async function initFleet(o: InitOptions): Promise<FleetState> {
  const dir = resolve(o.dir);
  const f = fleetFiles(dir);
  if (isFleetDir(dir)) throw new FleetSetupError('exists', { file: f.state });
  for (const host of o.hosts) checkHostName(host);
  const twice = o.hosts.find((h, i) => o.hosts.indexOf(h) !== i);
  if (twice !== undefined) throw new FleetSetupError('duplicate-host', { host: twice });
  const nodes = planNodes(o);
  const cluster = nodes.length > 1;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(f.hubDir, { mode: 0o700 });
  mkdirSync(f.hostsDir, { mode: 0o755 });

  let tlsFiles: FleetTlsFiles | undefined;
  if (o.tls) {
    mkdirSync(f.tlsDir, { mode: 0o700 });
    tlsFiles = await makeFleetTls(f.tlsDir, [...new Set(o.serverNames)]);
  }
  const keys = generateDecisionKeyPair();
  writePrivateFile(f.hubSigningKey, keys.privatePem);
  replaceFile(f.hubPublic, keys.publicPem);
  const hub = newNkeyUser();
  writePrivateFile(f.hubSeed, hub.seed + '\n');

  const state: FleetState = {
    v: 1,
    servers: nodes.map((n) => n.url),
    tls: o.tls,
    hub: { nkey: hub.nkey },
    hosts: [],
    ...(cluster ? { nodes: nodes.map((n) => n.name) } : {}),
  };
  const hubConfig = {
    hub: {
      servers: state.servers,
      seedFile: f.hubSeed,
      signingKey: f.hubSigningKey,
      ...(o.tls ? { caFile: f.caFile } : {}),
      replicas: replicasFor(nodes.length),
    },
  };
  replaceFile(
    f.hubConfig,
    `# The hub's connection to NATS: add to the hub's sheriff.yaml.\n${stringify(hubConfig)}` +
      '  # Its records in PostgreSQL rather than the local store (the password in PGPASSWORD\n' +
      '  # or a 0600 databasePasswordFile, never here):\n' +
      '  # database: postgres://sheriff@localhost/sheriff\n',
  );
  if (cluster) writeClusterNodes(f, o, nodes, tlsFiles);
  else
    replaceFile(
      f.server,
      serverConfig({
        serverName: nodes[0]!.name,
        listen: nodes[0]!.listen,
        storeDir: o.storeDir,
        tls: tlsFiles,
        accountsInclude: 'accounts.conf',
      }),
    );
  for (const name of o.hosts) writeHostDir(dir, state, name);
  saveFleet(dir, state);
  grantNatsServer(f, o.storeDir, state.nodes, tlsFiles?.keyFile);
  return state;
}

/**
 * Each node's directory, to be copied to that node at the same path (its
 * configuration names its files by it): the server configuration with the
 * routes to the other nodes, and with TLS the CA and the shared server
 * certificate. The accounts file comes from saveFleet.
 */
function writeClusterNodes(
  f: ReturnType<typeof fleetFiles>,
  o: InitOptions,
  nodes: NodePlan[],
  tls: FleetTlsFiles | undefined,
): void {
  mkdirSync(f.nodesDir, { mode: 0o755 });
  const password = randomBytes(24).toString('hex');
  for (const node of nodes) {
    const nodeDir = f.nodeDir(node.name);
    mkdirSync(nodeDir, { mode: 0o700 });
    let nodeTls: ClusterRoutes['tls'];
    if (tls !== undefined) {
      nodeTls = {
        certFile: join(nodeDir, 'server.pem'),
        keyFile: join(nodeDir, 'server.key'),
        caFile: join(nodeDir, 'ca.pem'),
      };
      copyFileSync(tls.caFile, nodeTls.caFile);
      copyFileSync(tls.certFile, nodeTls.certFile);
      copyFileSync(tls.keyFile, nodeTls.keyFile);
      chmodSync(nodeTls.keyFile, 0o600);
    }
    const routes = node.routes!;
    replaceFile(
      join(nodeDir, 'nats-server.conf'),
      serverConfig({
        serverName: node.name,
        listen: node.listen,
        clientAdvertise: node.advertise,
        storeDir: join(o.storeDir, node.name),
        tls: nodeTls,
        accountsInclude: 'accounts.conf',
        cluster: {
          name: 'sheriff',
          listen: routes.listen,
          advertise: routes.advertise,
          routes: nodes.filter((n) => n !== node).map((n) => n.routes!.advertise),
          user: 'sheriff-route',
          password,
          tls: nodeTls,
        },
      }),
      0o600,
    );
  }
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
  nodes: string[] | undefined,
  keyFile?: string,
): void {
  const nats = natsServerUser();
  if (nats === null || process.getuid?.() !== 0) return;
  const group = (file: string, mode: number) => {
    chownSync(file, 0, nats.gid);
    chmodSync(file, mode);
  };
  mkdirSync(storeDir, { recursive: true, mode: 0o750 });
  chownSync(storeDir, nats.uid, nats.gid);
  // A cluster node's server reads its whole directory, the route password and key included.
  for (const node of nodes ?? []) {
    const nodeDir = f.nodeDir(node);
    mkdirSync(join(storeDir, node), { mode: 0o750 });
    chownSync(join(storeDir, node), nats.uid, nats.gid);
    group(nodeDir, 0o750);
    group(join(nodeDir, 'nats-server.conf'), 0o640);
    if (keyFile !== undefined) group(join(nodeDir, 'server.key'), 0o640);
  }
  if (keyFile === undefined) return;
  group(f.tlsDir, 0o750);
  group(keyFile, 0o640);
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

/**
 * The accounts files nats-server reads: the one beside nats-server.conf, or
 * in a cluster every node's own copy (each node has its own machine; the
 * admin copies the node directory there again after a change).
 */
export function accountsFiles(dir: string, state: FleetState): string[] {
  const f = fleetFiles(dir);
  return state.nodes === undefined
    ? [f.accounts]
    : state.nodes.map((node) => join(f.nodeDir(node), 'accounts.conf'));
}

/** fleet.json and the accounts files it determines, rewritten together. */
function saveFleet(dir: string, state: FleetState): void {
  const f = fleetFiles(dir);
  const accounts = accountsConfig({ hub: state.hub.nkey, hosts: state.hosts });
  for (const file of accountsFiles(dir, state)) replaceFile(file, accounts);
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
