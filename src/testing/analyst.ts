/**
 * An analyst for tests: a real SQLite store in a temporary directory, real
 * approvals, spans collected in memory, a fixed host (/proc contents and `ss`
 * output given by the test), and — when a fake provider is given — the real
 * OpenAiCompatibleClient talking to it over HTTP on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createAnalyst, type Analyst } from '../agent/analyst.js';
import { agentConfigSchema, type AgentConfig } from '../agent/config.js';
import type { AnalystDeps, HostPort } from '../agent/deps.js';
import { OpenAiCompatibleClient } from '../agent/provider.js';
import { incidentsPort, incidentsStatus } from '../agent/ports.js';
import type { Millis } from '../domain.js';
import type { Lang } from '../i18n/index.js';
import { trustedNetworks } from '../intel/trusted.js';
import { parseIp } from '../net/ip.js';
import { Approvals, authorizer, requesterOf } from '../respond/approvals.js';
import { SecretKey } from '../respond/secret.js';
import { openStore, type Store } from '../store/index.js';
import { sampleEvent, sampleFinding } from '../store/testing.js';
import type { FakeOpenAI } from './fake-openai.js';

export const HARNESS_NOW: Millis = Date.UTC(2026, 10, 25, 8, 0, 0);

export const SAMPLE_PROC: Record<string, string> = {
  '/proc/loadavg': '0.42 0.30 0.25 1/123 4567\n',
  '/proc/meminfo':
    'MemTotal:        4030000 kB\nMemFree:  100000 kB\nMemAvailable:    2015000 kB\n',
  '/proc/net/dev':
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
    '    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n' +
    '  eth0: 123456 789 0 0 0 0 0 0 654321 987 0 0 0 0 0 0\n',
};

export const SAMPLE_SS =
  'LISTEN 0      4096         0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=812,fd=3))\n' +
  'LISTEN 0      511          [::]:443          [::]:*       users:(("nginx",pid=900,fd=6),("nginx",pid=901,fd=6))\n';

/**
 * A malicious brute-force campaign from `ip`: `failures` failed logins an hour
 * ago, a finding, and an incident the rules judged malicious (status: caution).
 */
export function seedAttack(store: Store, ip: string, failures = 12): number {
  const first = HARNESS_NOW - 3_600_000;
  for (let i = 0; i < failures; i++) {
    store.events.insert(
      sampleEvent({ ip, host: ip, user: i % 2 ? 'root' : 'admin', time: first + i * 1000 }),
    );
  }
  const last = first + (failures - 1) * 1000;
  const finding = sampleFinding({ ip, count: failures, first, last });
  store.findings.insert(finding, last);
  const incident = store.incidents.open(
    {
      attacker: ip,
      scope: 'address',
      kind: 'bruteforce',
      jail: 'sshd',
      first,
      last,
      users: finding.users,
    },
    last,
  );
  store.incidents.setTriage(
    incident.id,
    'rules',
    { verdict: 'malicious', confidence: 0.9, severity: 'high', reasons: ['burst'], evidence: [] },
    { actor: 'rules', at: last },
  );
  return incident.id;
}

export interface Harness {
  dir: string;
  store: Store;
  approvals: Approvals;
  deps: AnalystDeps;
  analyst: Analyst;
  spans: InMemorySpanExporter;
  /** The clock the analyst reads; tests move it. */
  clock: { now: Millis };
  /** Waits the client was told to make between retries. */
  waits: number[];
  /** Tokens reported through deps.onUsage (what feeds the metrics), [input, output] per call. */
  usage: [number, number][];
  ask(text: string, lang?: Lang, conversation?: string): ReturnType<Analyst['ask']>;
  close(): void;
}

export function analystHarness(
  opts: {
    llm?: FakeOpenAI;
    config?: Partial<AgentConfig>;
    timeoutMs?: number;
    maxRetries?: number;
    host?: Partial<HostPort>;
  } = {},
): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-analyst-'));
  const store = openStore(join(dir, 'sheriff.db'));
  const approvals = new Approvals(store.records, {
    key: new SecretKey(randomBytes(32), 'test'),
    authorize: authorizer(),
  });
  const config: AgentConfig = { ...agentConfigSchema.parse({}), ...opts.config };
  const clock = { now: HARNESS_NOW };
  const waits: number[] = [];
  const usage: [number, number][] = [];
  const llm =
    opts.llm === undefined
      ? null
      : new OpenAiCompatibleClient(
          {
            name: 'custom',
            baseUrl: opts.llm.baseUrl,
            model: 'fake-model',
            apiKey: 'sk-test',
            keySource: null,
          },
          {
            timeoutMs: opts.timeoutMs ?? 10_000,
            maxRetries: opts.maxRetries ?? 2,
            retryBaseMs: 1,
            sleep: (ms) => {
              waits.push(ms);
              return Promise.resolve();
            },
          },
        );
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const trusted = trustedNetworks(['198.51.100.0/24']);
  const deps: AnalystDeps = {
    store: store.records,
    approvals: requesterOf(approvals),
    llm,
    config,
    defaultLang: 'ko',
    banDurationMs: 3_600_000,
    neverBan: (ip) => {
      const p = parseIp(ip);
      return p === null || trusted.has(p);
    },
    status: incidentsStatus(store.records),
    incidents: incidentsPort(store.records),
    host: {
      readFile: (path) => Promise.resolve(SAMPLE_PROC[path] ?? ''),
      run: () => Promise.resolve(SAMPLE_SS),
      sessions: { sessions: () => Promise.resolve([]) },
      ...opts.host,
    },
    clock: () => clock.now,
    tracer: provider.getTracer('test'),
    onUsage: (i, o) => usage.push([i, o]),
  };
  const analyst = createAnalyst(deps);
  return {
    dir,
    store,
    approvals,
    deps,
    analyst,
    spans,
    clock,
    waits,
    usage,
    ask: (text, lang = 'ko', conversation = 'test:1') =>
      analyst.ask({ conversation, text, lang, channel: 'telegram', identity: '1' }),
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
