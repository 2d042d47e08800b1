/**
 * Connecting a sensor or the hub to NATS, and the JetStream objects the fleet
 * needs. Each client authenticates with its own nkey seed (a file only its
 * owner may read), verifies the server against the fleet's CA when TLS is on,
 * and a sensor puts its request inboxes under its own prefix, the only one its
 * permissions let it subscribe to. A lost connection is retried forever with a
 * growing pause: a sensor keeps buffering in its outbox meanwhile.
 */
import { SecretError, readPrivateFile } from '../config/private-file.js';
import {
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { fromSeed } from '@nats-io/nkeys';
import {
  connect,
  nanos,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { DECISIONS_BUCKET, HOSTS_STREAM, HOSTS_SUBJECTS, hostInboxPrefix } from './protocol.js';

export interface FleetConnectOptions {
  /** NATS URLs, e.g. `nats://hub.example:4222` or `tls://…`. */
  servers: string[];
  /** This client's nkey seed file (`SU…`), mode 0600. */
  seedFile: string;
  /** The fleet CA (PEM) the server's certificate must chain to; TLS is required when set. */
  caFile?: string | undefined;
  /** A sensor's host name: its inboxes go under `_INBOX_<host>`. Absent for the hub. */
  host?: string | undefined;
  /** The client name shown in the server's monitoring. */
  name?: string | undefined;
  /** Test hook for the seed file's owner check; default `process.getuid()`. */
  uid?: number | undefined;
}

/** The longest pause between two reconnect attempts. */
export const MAX_RECONNECT_DELAY_MS = 30_000;

/** The nkey seed in `file`: checked for mode 0600 and that it is a user seed. */
export function readSeed(file: string, uid?: number): Uint8Array {
  const text = readPrivateFile(file, uid, 'NATS seed file');
  if (text === null) throw new SecretError(`no NATS seed file ${file}`);
  const seed = new TextEncoder().encode(text.trim());
  try {
    // Throws on anything that is not a seed; the text is secret and never quoted.
    const kp = fromSeed(seed);
    if (!kp.getPublicKey().startsWith('U')) throw new Error('not a user seed');
  } catch {
    throw new SecretError(`the NATS seed file ${file} holds no user nkey seed (SU…)`);
  }
  return seed;
}

/** The nkey public key (`U…`) of a seed, the name the server config knows the user by. */
export function seedPublicKey(seed: Uint8Array): string {
  return fromSeed(seed).getPublicKey();
}

/**
 * A reconnect pause that doubles from 0.5 s up to 30 s, and starts over once
 * connected again. It follows the time since the connection was lost, not a
 * count of calls: the NATS client asks on every turn of its dial loop, the
 * turns that only wait included, so a counter would reach 30 s before the
 * second attempt (and a NATS restart would cost every client 30 s).
 */
export function reconnectBackoff(now: () => number = Date.now): {
  delay: () => number;
  reset: () => void;
} {
  let since: number | null = null;
  return {
    delay: () => {
      const t = now();
      since ??= t;
      let pause = 500;
      while (pause * 2 <= t - since && pause < MAX_RECONNECT_DELAY_MS) pause *= 2;
      return Math.min(pause, MAX_RECONNECT_DELAY_MS);
    },
    reset: () => {
      since = null;
    },
  };
}

/**
 * The connection options for `opts`, without connecting: the seed is read
 * (and checked) now, so a bad file fails at start, not at the first reconnect.
 */
export function fleetConnectionOptions(
  opts: FleetConnectOptions,
  backoff = reconnectBackoff(),
): NodeConnectionOptions {
  const seed = readSeed(opts.seedFile, opts.uid);
  const options: NodeConnectionOptions = {
    servers: opts.servers,
    authenticator: nkeyAuthenticator(seed),
    maxReconnectAttempts: -1,
    // NATS down when a sensor starts is no error: keep trying (the sensor buffers meanwhile).
    waitOnFirstConnect: true,
    reconnectDelayHandler: backoff.delay,
  };
  if (opts.name !== undefined) options.name = opts.name;
  if (opts.host !== undefined) options.inboxPrefix = hostInboxPrefix(opts.host);
  if (opts.caFile !== undefined) {
    // The client hands its tls options on to Node's tls.connect, this one too (not in its types).
    const tls: NonNullable<NodeConnectionOptions['tls']> &
      Pick<ConnectionOptions, 'checkServerIdentity'> = {
      caFile: opts.caFile,
      checkServerIdentity: fleetServerIdentity(opts.servers),
    };
    options.tls = tls;
  }
  return options;
}

/**
 * The certificate check for the fleet's servers. The NATS client turns its
 * socket into TLS without telling Node the address it dialled, so a server
 * named by an IP address (`tls://10.0.0.5:4222`, a cluster's nodes often are)
 * would be checked as "localhost" and refused. The certificate must name the
 * host the client says or one of the fleet's servers: it was signed by the
 * fleet's own CA, which signs only those servers' certificate.
 */
export function fleetServerIdentity(
  servers: string[],
): (host: string, cert: PeerCertificate) => Error | undefined {
  const names = servers.map((url) => new URL(url).hostname.replace(/^\[(.*)\]$/, '$1'));
  return (host, cert) => {
    const refusal = checkServerIdentity(host, cert);
    if (refusal === undefined) return undefined;
    return names.some((name) => checkServerIdentity(name, cert) === undefined)
      ? undefined
      : refusal;
  };
}

/**
 * Connects as `opts` says, retrying until the server answers (the promise is
 * pending meanwhile: a sensor must not hold its start on it), and again
 * whenever the connection is lost.
 */
export async function connectFleet(opts: FleetConnectOptions): Promise<NatsConnection> {
  const backoff = reconnectBackoff();
  const nc = await connect(fleetConnectionOptions(opts, backoff));
  // Connected: a later loss starts from short pauses (the first dial asked for one too).
  backoff.reset();
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') backoff.reset();
  })();
  return nc;
}

export interface EnsureStreamsOptions {
  /** JetStream replicas for the stream and the bucket: 1 on a single server, 3 in a cluster. */
  replicas?: number;
  /** How long the stream keeps a host's messages the hub has not taken yet (default 7 days). */
  maxAgeMs?: number;
  /** The stream's duplicate window for `Nats-Msg-Id` (default 10 minutes). */
  duplicateWindowMs?: number;
}

const DAY_MS = 86_400_000;

/** The SHERIFF_HOSTS stream's configuration. */
export function hostsStreamConfig(opts: EnsureStreamsOptions = {}): Partial<StreamConfig> & {
  name: string;
} {
  return {
    name: HOSTS_STREAM,
    subjects: [HOSTS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: opts.replicas ?? 1,
    // The hub remembers the rows it stored a day longer (store/retention.ts INGESTED_KEEP_MS).
    max_age: nanos(opts.maxAgeMs ?? 7 * DAY_MS),
    // A sensor retries an unacknowledged publish with the same Nats-Msg-Id after a
    // reconnect; the window must outlast any such retry for JetStream to drop the copy.
    duplicate_window: nanos(opts.duplicateWindowMs ?? 10 * 60_000),
  };
}

/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_EXIST = 10058;

/**
 * The hub makes the stream every host publishes into and the decisions
 * bucket, or updates them to this configuration. Idempotent.
 */
export async function ensureStreams(
  nc: NatsConnection,
  opts: EnsureStreamsOptions = {},
): Promise<{ decisions: KV }> {
  const jsm = await jetstreamManager(nc);
  const config = hostsStreamConfig(opts);
  try {
    await jsm.streams.add(config);
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_EXIST) throw err;
    await jsm.streams.update(config.name, config);
  }
  const decisions = await new Kvm(nc).create(DECISIONS_BUCKET, {
    history: 1,
    replicas: opts.replicas ?? 1,
    storage: StorageType.File,
  });
  return { decisions };
}

/** The decisions bucket, opened without touching its configuration (what a sensor may do). */
export function openDecisions(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).open(DECISIONS_BUCKET);
}
