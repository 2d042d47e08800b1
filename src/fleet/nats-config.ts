/**
 * The nats-server configuration of a fleet: one account with JetStream, the
 * hub's user and one user per host, each known by its nkey. The permissions
 * are the security boundary between hosts: a host may publish only on its own
 * subjects and read the decisions bucket; it may not write a decision, speak
 * for another host, or read what other hosts sent. Everything not allowed is
 * denied.
 */
import { DECISIONS_BUCKET, hostInboxPrefix, isHostName } from './protocol.js';

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

export interface ServerConfigOptions {
  /** The server's name in a cluster and in monitoring. */
  serverName: string;
  /** `host:port` to listen on for clients. */
  listen: string;
  /** Where JetStream keeps its files. */
  storeDir: string;
  /** The server certificate and key, when clients connect with TLS. */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** The accounts file, relative to this file (nats-server resolves includes so). */
  accountsInclude: string;
}

/** The main nats-server configuration: listener, JetStream, TLS, and the accounts file. */
export function serverConfig(o: ServerConfigOptions): string {
  const lines = [
    `# Written by \`sheriff fleet init\`: the NATS server of a Sheriff fleet.`,
    `# Run it with: nats-server -c <this file>. After \`sheriff fleet add-host/revoke-host\``,
    `# reload it: nats-server --signal reload (or kill -HUP its process).`,
    `server_name: ${q(o.serverName)}`,
    `listen: ${q(o.listen)}`,
    `jetstream { store_dir: ${q(o.storeDir)} }`,
  ];
  if (o.tls !== undefined) {
    lines.push(`tls { cert_file: ${q(o.tls.certFile)}, key_file: ${q(o.tls.keyFile)} }`);
  }
  lines.push(`include ${q(o.accountsInclude)}`, ``);
  return lines.join('\n');
}
