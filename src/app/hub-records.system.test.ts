/**
 * What the hub keeps for its admins beside the fleet's records lives where
 * those records are: with `hub.database`, each Telegram chat's language and
 * the intel services' cached answers are in the hub's PostgreSQL, not in the
 * local SQLite store, so a hub started again on a fresh machine (a new local
 * store) still speaks each chat's language. A real PostgreSQL, the daemon as
 * `sheriff hub` gives it its records, the Telegram and intel doubles over HTTP.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { FakeIntelApis } from '../testing/fake-intel-apis.js';
import { FakeTelegram } from '../testing/fake-telegram.js';
import { startPostgres, type Postgres } from '../testing/postgres.js';
import { waitFor } from '../testing/wait.js';
import { Daemon } from './daemon.js';
import { openHubDatabase, type HubDatabase } from './hub-database.js';
import { parseConfig } from './parse-config.js';

const CHAT = 4242;
const ADMIN = 42;
const ATTACKER = '198.51.100.66';

let dir: string;
let postgres: Postgres;
let telegram: FakeTelegram;
let intel: FakeIntelApis;
/** The hub running now, and a reader of the hub's database. */
let running: Daemon | null = null;
let reader: HubDatabase | null = null;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-hub-records-'));
  postgres = await startPostgres();
  telegram = new FakeTelegram();
  await telegram.start();
  intel = await FakeIntelApis.start();
});
after(async () => {
  await running?.stop();
  await reader?.records.close();
  await intel?.close();
  await telegram?.stop();
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The hub's daemon on `database`, with a local store of its own named `local`. */
async function startHub(database: string, local: string): Promise<Daemon> {
  const tokenFile = join(dir, 'telegram.token');
  await writeFile(tokenFile, telegram.token);
  await chmod(tokenFile, 0o600);
  const yaml = [
    `store: { path: ${join(dir, `${local}.db`)} }`,
    'web: { enabled: false }',
    `notify: { telegram: { tokenFile: ${tokenFile}, chats: [${CHAT}], users: [${ADMIN}], apiRoot: "${telegram.apiRoot()}" } }`,
    `intel: { abuseipdb: { baseUrl: "${intel.baseUrl}" } }`,
    `hub: { servers: ['nats://127.0.0.1:1'], seedFile: unused, signingKey: unused, database: '${database}' }`,
  ].join('\n');
  const config = parseConfig(yaml, join(dir, `${local}.yaml`));
  // As `sheriff hub` wires it (cli/watch.ts): the records from the hub's database.
  const db = (await openHubDatabase(config.hub!))!;
  running = Daemon.start({
    config,
    logger: createLogger({ level: 'silent', format: 'json' }),
    t: translator('en'),
    notifiers: [],
    sources: [],
    firewall: new DryRunFirewall({ log: () => {} }),
    records: db.records,
    env: { SHERIFF_ABUSEIPDB_KEY: 'k-hub' },
  });
  return running;
}

async function stopHub(): Promise<void> {
  const daemon = running;
  running = null;
  await daemon?.stop();
}

describe('the hub on PostgreSQL', () => {
  it("keeps each chat's language and the intel cache in its database, not in the local store", async () => {
    const database = await postgres.createDatabase();
    const first = await startHub(database, 'first');
    const { store } = first.parts;

    telegram.pushMessage(CHAT, ADMIN, '/lang ko');
    await waitFor('the reply', () => telegram.sentTo(CHAT).length === 1);
    assert.equal(telegram.sentTo(CHAT)[0]!.text, translator('ko')('notify.lang.set'));
    // Read back through a connection of its own: it is in PostgreSQL.
    reader = (await openHubDatabase({ database }))!;
    assert.equal(await reader.records.chats.lang('telegram', String(CHAT)), 'ko');
    assert.equal(store.chats.lang('telegram', String(CHAT)), null, 'not in the local store');

    // Triage's intel asks AbuseIPDB once; its answer is cached with the records.
    intel.state.abuse.set(ATTACKER, 80);
    const asked = intel.requests.length;
    const enricher = first.parts.followUp.intel.enricher;
    assert.equal((await enricher.enrich(ATTACKER)).reputation, 80);
    assert.equal(intel.requests.length, asked + 1);
    const now = Date.now();
    assert.ok(await reader.records.intel.get('abuseipdb', ATTACKER, now), 'cached in PostgreSQL');
    assert.equal(store.intel.get('abuseipdb', ATTACKER, now), null, 'not in the local store');
    await stopHub();

    // The hub again, on a fresh machine: a new local store, the same database.
    const second = await startHub(database, 'second');
    telegram.pushMessage(CHAT, ADMIN, '/lang');
    await waitFor('the second reply', () => telegram.sentTo(CHAT).length === 2);
    assert.equal(
      telegram.sentTo(CHAT)[1]!.text,
      translator('ko')('notify.lang.usage'),
      'the chat still speaks Korean',
    );
    await second.parts.followUp.intel.enricher.enrich(ATTACKER);
    assert.equal(intel.requests.length, asked + 1, 'answered from the cache in PostgreSQL');
  });
});
