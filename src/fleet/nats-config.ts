/**
 * The nats-server configuration of a fleet: one account with JetStream, the
 * hub's user and one user per host, each known by its nkey. The permissions
 * are the security boundary between hosts: a host may publish only on its own
 * subjects and read the decisions bucket; it may not write a decision, speak
 * for another host, or read what other hosts sent. Everything not allowed is
 * denied.
 */
import { isHostName } from './host-name.js';
import { DECISIONS_BUCKET, hostInboxPrefix } from './protocol.js';

/** The account every fleet user is in. */
export const FLEET_ACCOUNT = 'SHERIFF';

export interface FleetUsers {
  /** The hub's nkey public key (`U…`): may do everything in the account. */
  hub: string;
  /** Each host's name and nkey public key. */
  hosts: { name: string; nkey: string }[];
}

const NKEY_USER = /^U[A-Z2-7]{55}$/;

/** What a host may publish and subscribe to. */
export function hostPermissions(host: string): { publish: string[]; subscribe: string[] } {
  if (!isHostName(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  const kvStream = `KV_${DECISIONS_BUCKET}`;
  return {
    publish: [
      // Its own events, findings, confirmations and status, and nothing else on sheriff.host.
      `sheriff.host.${host}.>`,
      // Reading the decisions bucket: its stream's info, a watcher (an ephemeral push
      // consumer delivering into this host's inbox), flow control, and single reads.
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${kvStream}`,
      `$JS.API.CONSUMER.CREATE.${kvStream}`,
      `$JS.API.CONSUMER.CREATE.${kvStream}.>`,
      `$JS.API.CONSUMER.INFO.${kvStream}.>`,
      `$JS.API.CONSUMER.DELETE.${kvStream}.>`,
      `$JS.API.STREAM.MSG.GET.${kvStream}`,
      `$JS.API.DIRECT.GET.${kvStream}`,
      `$JS.API.DIRECT.GET.${kvStream}.>`,
      `$JS.FC.${kvStream}.>`,
    ],
    // Replies (publish acks, API answers, the watcher's deliveries) come only to its own inbox.
    subscribe: [`${hostInboxPrefix(host)}.>`],
  };
}

/** A string in nats-server's configuration syntax (quoted, so `$` is not a variable). */
function q(s: string): string {
  return JSON.stringify(s);
}

function list(items: string[]): string {
  return `[${items.map(q).join(', ')}]`;
}

/**
 * The `accounts { … }` block for `users`. Host names must be unique and
 * valid; every key an nkey user public key.
 */
export function accountsConfig(users: FleetUsers): string {
  if (!NKEY_USER.test(users.hub)) throw new Error(`not an nkey user public key: ${users.hub}`);
  const seen = new Set<string>();
  const lines = [
    `# Written by sheriff fleet; edit with \`sheriff fleet add-host/revoke-host\`.`,
    `accounts {`,
    `  ${FLEET_ACCOUNT} {`,
    `    jetstream: enabled`,
    `    users: [`,
    `      # the hub`,
    `      { nkey: ${q(users.hub)} }`,
  ];
  for (const { name, nkey } of users.hosts) {
    if (seen.has(name)) throw new Error(`host ${name} is listed twice`);
    seen.add(name);
    if (!NKEY_USER.test(nkey))
      throw new Error(`host ${name}: not an nkey user public key: ${nkey}`);
    const p = hostPermissions(name);
    lines.push(
      `      # host ${name}`,
      `      { nkey: ${q(nkey)}, permissions: {`,
      `          publish: { allow: ${list(p.publish)} }`,
      `          subscribe: { allow: ${list(p.subscribe)} }`,
      `      } }`,
    );
  }
  lines.push(`    ]`, `  }`, `}`, ``);
  return lines.join('\n');
}

/** How one node of a cluster reaches the others, and how they must prove who they are. */
export interface ClusterRoutes {
  /** The cluster's name: every node says the same. */
  name: string;
  /** `host:port` this node listens on for the other nodes. */
  listen: string;
  /** `host:port` the other nodes reach this one by (what it tells them, and clients, on gossip). */
  advertise: string;
  /** `host:port` of every other node's route listener. */
  routes: string[];
  /** The route user and password every node asks of, and gives to, the others. */
  user: string;
  password: string;
  /**
   * Mutual TLS between the nodes: each presents its certificate and checks
   * the other's against the fleet CA (nats-server always verifies routes).
   */
  tls?: { certFile: string; keyFile: string; caFile: string } | undefined;
}

export interface ServerConfigOptions {
  /** The server's name in a cluster and in monitoring. */
  serverName: string;
  /** `host:port` to listen on for clients. */
  listen: string;
  /** `host:port` clients are told to reach this server by (a cluster node's name in the URLs). */
  clientAdvertise?: string | undefined;
  /** Where JetStream keeps its files. */
  storeDir: string;
  /** The server certificate and key, when clients connect with TLS. */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** The accounts file, relative to this file (nats-server resolves includes so). */
  accountsInclude: string;
  /** This node's place in a cluster; absent for a single server. */
  cluster?: ClusterRoutes | undefined;
}

/** A route URL with the route user's credentials in it, as nats-server expects them. */
function routeUrl(hostPort: string, user: string, password: string): string {
  return `nats-route://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostPort}`;
}

/** The cluster block of one node: its route listener, the others, route auth and TLS. */
function clusterBlock(c: ClusterRoutes): string[] {
  const lines = [
    `cluster {`,
    `  name: ${q(c.name)}`,
    `  listen: ${q(c.listen)}`,
    `  advertise: ${q(c.advertise)}`,
    `  authorization { user: ${q(c.user)}, password: ${q(c.password)} }`,
    `  routes: ${list(c.routes.map((r) => routeUrl(r, c.user, c.password)))}`,
  ];
  if (c.tls !== undefined) {
    lines.push(
      `  tls { cert_file: ${q(c.tls.certFile)}, key_file: ${q(c.tls.keyFile)}, ca_file: ${q(c.tls.caFile)} }`,
    );
  }
  lines.push(`}`);
  return lines;
}

/** The main nats-server configuration: listener, JetStream, TLS, cluster, and the accounts file. */
export function serverConfig(o: ServerConfigOptions): string {
  const lines = [
    `# Written by \`sheriff fleet init\`: the NATS server of a Sheriff fleet.`,
    `# Run it with: nats-server -c <this file>. After \`sheriff fleet add-host/revoke-host\``,
    `# reload it: nats-server --signal reload (or kill -HUP its process).`,
    `server_name: ${q(o.serverName)}`,
    `listen: ${q(o.listen)}`,
  ];
  if (o.clientAdvertise !== undefined) lines.push(`client_advertise: ${q(o.clientAdvertise)}`);
  lines.push(`jetstream { store_dir: ${q(o.storeDir)} }`);
  if (o.tls !== undefined) {
    lines.push(`tls { cert_file: ${q(o.tls.certFile)}, key_file: ${q(o.tls.keyFile)} }`);
  }
  if (o.cluster !== undefined) lines.push(...clusterBlock(o.cluster));
  lines.push(`include ${q(o.accountsInclude)}`, ``);
  return lines.join('\n');
}
