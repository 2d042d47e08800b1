/**
 * The fleet, wired into the daemon: a sensor (`sheriff watch` with `fleet:`)
 * or the hub (`sheriff hub`, with `hub:`), each a DaemonExtension run beside
 * the daemon's own parts. The hub is the same daemon with no sources of its
 * own, the hosts' events and findings coming in over NATS, and a firewall
 * whose bans are signed decisions (fleet/fleet-firewall.ts).
 */
import { readFileSync } from 'node:fs';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../clock.js';
import type { BanTarget, Finding } from '../domain.js';
import type { FleetConfig, HubConfig, ScopeSetting } from '../fleet/config.js';
import { connectFleet, ensureStreams, readSeed } from '../fleet/connect.js';
import { recordPublished } from '../fleet/ban-state.js';
import { CrossHostDetector } from '../fleet/cross-host.js';
import { FleetFirewall, type DecisionContext } from '../fleet/fleet-firewall.js';
import { BanTally } from '../fleet/hub.js';
import { HubIngest } from '../fleet/ingest.js';
import type { DecisionScope } from '../fleet/protocol.js';
import { Sensor } from '../fleet/sensor.js';
import { loadDecisionSigningKey, parseDecisionVerifyKey } from '../fleet/signing.js';
import type { Logger } from '../log.js';
import { targetOf } from '../respond/responder.js';
import { authEventOf } from '../store/events.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import type { DaemonExtension, DaemonParts } from './compose.js';
import type { HubDatabase } from './hub-database.js';

/** The installed version, from the package.json that ships beside dist/ (a sensor's heartbeat says it). */
export function sheriffVersion(): string {
  const pkg = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export interface FleetWiring {
  clock: Clock;
  logger: Logger;
  version: string;
}

/**
 * A sensor: reads its seed and the hub's public key now (a bad file fails the
 * start), connects in the background.
 */
export function sensorExtension(cfg: FleetConfig, w: FleetWiring): DaemonExtension {
  readSeed(cfg.seedFile);
  const verifier = parseDecisionVerifyKey(readFileSync(cfg.hubPublicKey, 'utf8'), cfg.hubPublicKey);
  const sensor = new Sensor({
    host: cfg.host,
    groups: cfg.groups,
    connect: () =>
      connectFleet({
        servers: cfg.servers,
        seedFile: cfg.seedFile,
        caFile: cfg.caFile,
        host: cfg.host,
        name: `sheriff-${cfg.host}`,
      }),
    verifier,
    version: w.version,
    clock: w.clock,
    logger: w.logger,
    maxOutboxRows: cfg.maxOutbox,
  });
  return {
    writerParts: (store) => [sensor.outbox(store.db)],
    observer: {
      event: (r) => sensor.event(r),
      finding: (f) => sensor.finding(f),
    },
    start: (d) => sensor.start(d.parts.responder),
    stop: () => sensor.stop(),
  };
}

export interface Hub {
  extension: DaemonExtension;
  firewall: FleetFirewall;
}

/**
 * The hub: its firewall for the responder, and the ingest, tally and
 * cross-host detection beside it. Its hosts live in `database` when it has one
 * (app/hub-database.ts, whose records the daemon is given too), else in the
 * local store.
 */
export function hub(
  cfg: HubConfig,
  w: FleetWiring,
  connect = defaultConnect(cfg),
  database: HubDatabase | null = null,
): Hub {
  const signer = loadDecisionSigningKey(cfg.signingKey);
  let connection: Promise<NatsConnection> | null = null;
  let bucket: Promise<KV> | null = null;
  const nc = () => (connection ??= connect());
  const decisions = () =>
    (bucket ??= nc()
      .then((c) => ensureStreams(c, { replicas: cfg.replicas }))
      .then((r) => r.decisions));
  let parts: DaemonParts | null = null;
  let tally: BanTally | null = null;
  let ingest: HubIngest | null = null;
  let started: Promise<void> = Promise.resolve();
  /** The hosts each target was last seen on, for 'host' scopes. */
  const seenOn = new Map<string, readonly string[]>();
  const firewall = new FleetFirewall({
    decisions,
    signer,
    clock: w.clock.now,
    describe: (target) => describeBan(cfg, parts, seenOn, target),
    published: async (d) => {
      tally?.published(d);
      if (parts !== null) await recordPublished(parts.records.status, d);
    },
  });
  const extension: DaemonExtension = {
    hosts: (store) => database?.hosts ?? asyncHosts(new HostStore(store.db)),
    start(d) {
      parts = d.parts;
      const { records, alerts, logger, clock } = d.parts;
      const hosts = d.parts.hosts!;
      const t = new BanTally({ hosts, clock, logger, alert: alerts.publish });
      tally = t;
      const found = (f: Finding, id: number, on: readonly string[]) => {
        seenOn.set(targetOf(f).cidr, on);
        if (seenOn.size > 100_000) seenOn.delete(seenOn.keys().next().value!);
        d.found(f, id, on);
      };
      started = (async () => {
        const c = await nc();
        await decisions();
        ingest = new HubIngest({
          nc: c,
          hosts,
          clock: clock.now,
          logger,
          crossHost: new CrossHostDetector(cfg.crossHost),
          // An attacker's incident gathers its activity on every host, as a host's own does.
          events: (_host, events) => {
            for (const e of events) d.parts.followUp.onEvent(authEventOf(e), e.jail);
          },
          finding: (f, id, host) => found(f, id, [host]),
          distributed: (a) =>
            void records.findings.insert({ ...a.finding, hosts: a.hosts }, clock.now()).then(
              (id) => found(a.finding, id, a.hosts),
              (err: unknown) =>
                logger.error(
                  { event: 'finding_not_stored', err, hosts: a.hosts },
                  'a distributed finding could not be stored',
                ),
            ),
          confirmation: (_host, c) =>
            void t
              .confirmed(c)
              .catch((err: unknown) =>
                logger.warn({ event: 'tally_failed', err }, 'could not count a confirmation'),
              ),
        });
        await ingest.start();
        logger.info({ event: 'hub_started' }, 'the hub is reading the hosts');
      })().catch((err: unknown) =>
        logger.error(
          { event: 'hub_start_failed', err },
          'the hub could not start reading the hosts',
        ),
      );
    },
    async stop() {
      await ingest?.stop();
      // A connection made is closed; one still being attempted (NATS down) is not waited for.
      const c =
        connection === null ? null : await Promise.race([connection, Promise.resolve(null)]);
      await c?.close();
      if (c !== null) await started;
    },
  };
  return { extension, firewall };
}

function defaultConnect(cfg: HubConfig): () => Promise<NatsConnection> {
  readSeed(cfg.seedFile);
  return () =>
    connectFleet({
      servers: cfg.servers,
      seedFile: cfg.seedFile,
      caFile: cfg.caFile,
      name: 'sheriff-hub',
    });
}

/** The scope, reason and approval of the ban the responder is about to publish for `target`. */
async function describeBan(
  cfg: HubConfig,
  parts: DaemonParts | null,
  seenOn: ReadonlyMap<string, readonly string[]>,
  target: BanTarget,
): Promise<DecisionContext> {
  const ban = (await parts?.records.bans.pending())
    ?.filter((b) => b.target.cidr === target.cidr)
    .at(-1);
  const setting = (ban?.jail == null ? undefined : cfg.jailScopes[ban.jail]) ?? cfg.scope;
  return {
    scope: scopeOf(setting, seenOn.get(target.cidr) ?? []),
    reason: ban?.reason ?? 'fleet ban',
    approvalId: ban?.approvalId ?? null,
  };
}

/** A 'host' scope names the one host that saw it; seen on several (or none known), the fleet. */
function scopeOf(setting: ScopeSetting, hosts: readonly string[]): DecisionScope {
  if (setting === 'fleet') return { kind: 'fleet' };
  if (setting === 'host')
    return hosts.length === 1 ? { kind: 'host', host: hosts[0]! } : { kind: 'fleet' };
  return { kind: 'group', group: setting.group };
}
