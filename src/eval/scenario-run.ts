/**
 * Runs a generated world's auth.log through Sheriff's real path, in virtual
 * time, the way the daemon does: parse → the sshd filter → the jail's tracker
 * (findings) → a real SQLite store (events, findings) → the incident manager
 * (incidents, enriched and triaged on its ticks) and the hourly long-horizon
 * search. What comes out is the incidents as triage reads them
 * (buildTriageInput), each with the scenario whose address it is about: the
 * label is the scenario's, never what the rules said.
 *
 * The jail is the default sshd jail (a fresh install's), with the built-in
 * trusted networks; intel answers what the world says about each address.
 */
import { LongHorizonDetector } from '../detect/long-horizon.js';
import { defaultJail } from '../detect/jail.js';
import { buildJail, Pipeline } from '../detect/pipeline.js';
import type { Enrichment, Finding, Incident, Millis, TriageInput } from '../domain.js';
import { filterRegistry } from '../filters/registry.js';
import { buildTriageInput } from '../incidents/input.js';
import { IncidentManager } from '../incidents/manager.js';
import { TrustedProvider, trustedNetworks } from '../intel/trusted.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { Store, toEventRecord } from '../store/index.js';
import type { Intel, Scenario, World } from './scenario-generator.js';

/** The daemon's ticks: incidents take in events every few seconds, the long horizon hourly. */
const INCIDENT_TICK_MS = 5000;
const LONG_HORIZON_EVERY_MS = 3_600_000;

export interface WorldIncident {
  scenario: Scenario;
  incident: Incident;
  input: TriageInput;
}

const NO_INTEL: Intel = { country: null, asn: null, asOrg: null, blocklists: [], reputation: null };

export async function runWorld(world: World): Promise<WorldIncident[]> {
  const store = Store.open(':memory:');
  try {
    return await run(world, store);
  } finally {
    store.close();
  }
}

async function run(world: World, store: Store): Promise<WorldIncident[]> {
  const trusted = new TrustedProvider();
  const filters = filterRegistry();
  const sshd = filters.spec('sshd');
  if (sshd === undefined) throw new Error('the sshd filter is not built in');
  const settings = defaultJail('sshd', trustedNetworks([]), sshd.defaultMode);
  const jail = buildJail(settings, { filters });
  const intel = new Map(world.scenarios.flatMap((s) => Object.entries(s.intel)));
  const enrich = (ip: string): Promise<Enrichment> =>
    Promise.resolve({
      ...(intel.get(ip) ?? NO_INTEL),
      internal: trusted.isInternal(ip),
      sources: {},
    });

  let now: Millis = world.start;
  const manager = new IncidentManager({
    store: store.records,
    enrich,
    isInternal: (ip) => trusted.isInternal(ip),
    clock: () => now,
  });
  const longHorizon = new LongHorizonDetector([settings], store.failureHistory);
  // Findings join their incidents in order (the manager's queue); a failure fails the run below.
  const joined: Promise<unknown>[] = [];
  const alert = (f: Finding): void => {
    joined.push(manager.onFinding(f, store.findings.insert(f, now)));
  };

  // As daemon.ts reads a source: every event but a no-failure one is stored, then
  // handed to the incidents; findings are stored and open or join incidents.
  let line = '';
  const zone = TimeZone.of(world.timezone);
  const reference = () => world.end;
  const pipeline = new Pipeline(
    [jail],
    new LineParser({ zone, reference }),
    () => now,
    alert,
    (event, j) => {
      if (event.result === 'nofail') return;
      const record = toEventRecord(event, {
        jail: j.settings.name,
        source: world.id,
        line,
        readAt: now,
      });
      if (record === null) return;
      store.events.insert(record);
      manager.onEvent(event, j.settings.name);
    },
  );
  // Reads each line's time ahead, so the ticks due before it run first.
  const clockReader = new LineParser({ zone, reference });
  let lastTick = now;
  let nextHour = world.start + LONG_HORIZON_EVERY_MS;
  const until = async (time: Millis) => {
    while (nextHour <= time) {
      now = nextHour;
      await manager.tick();
      for (const f of await longHorizon.run(now)) alert(f);
      lastTick = now;
      nextHour += LONG_HORIZON_EVERY_MS;
    }
    if (time - lastTick >= INCIDENT_TICK_MS) {
      now = time;
      await manager.tick();
      lastTick = now;
    }
  };
  for (const text of world.lines) {
    const time = clockReader.parse(text)?.time ?? now;
    await until(time);
    now = Math.max(now, time);
    line = text;
    pipeline.line(text);
  }
  await until(world.end + LONG_HORIZON_EVERY_MS);

  const owners = new Map(world.scenarios.flatMap((s) => s.sources.map((ip) => [ip, s] as const)));
  const isInternal = (ip: string) => trusted.isInternal(ip);
  await Promise.all(joined);
  const incidents = (await store.records.incidents.list({ limit: 10_000 })).sort(
    (a, b) => a.id - b.id,
  );
  return Promise.all(
    incidents.map(async (incident) => {
      const scenario =
        owners.get(incident.attacker) ??
        incident.members.map((m) => owners.get(m)).find((s) => s !== undefined);
      if (scenario === undefined)
        throw new Error(
          `${world.id}: incident #${incident.id} about ${incident.attacker} has no scenario`,
        );
      const input = await buildTriageInput(store.records, incident, { isInternal });
      return { scenario, incident, input };
    }),
  );
}
