/**
 * `/metrics` in Prometheus text format. Counters move with what the daemon
 * reports live; gauges are read from the store and the sources at scrape time.
 * Each server has its own registry (no global state shared between instances).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Finding } from '../domain.js';
import type { SourceHealth } from '../sources/source.js';
import type { EventRecord } from '../store/events.js';

export interface MetricsSources {
  activeBans: () => number;
  /** Active bans that block nothing (a dry-run firewall, or none confirmed them). */
  unenforcedBans: () => number;
  pendingApprovals: () => number;
  storeBytes: () => number;
  health: () => SourceHealth[];
  loginAddresses: () => number;
}

export class WebMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'jail' | 'result'>;
  private readonly findings: Counter<'kind'>;
  private readonly tokens: Counter<'kind'>;
  private readonly ambiguousLines: Counter<'jail'>;

  constructor(src: MetricsSources) {
    const registers = [this.registry];
    this.events = new Counter({
      name: 'sheriff_events_total',
      help: 'Classified log events, by jail and result (fail attempts count once per line).',
      labelNames: ['jail', 'result'],
      registers,
    });
    this.findings = new Counter({
      name: 'sheriff_findings_total',
      help: 'Findings (bruteforce, slow-bruteforce, compromise…), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.ambiguousLines = new Counter({
      name: 'sheriff_ambiguous_lines_total',
      help: 'Lines that name their address in two places (a user name holding "from <address>") and were counted without one, by jail.',
      labelNames: ['jail'],
      registers,
    });
    this.tokens = new Counter({
      name: 'sheriff_llm_tokens_total',
      help: 'LLM tokens used by the analyst, by kind (input, output).',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'sheriff_bans_active',
      help: 'Bans in force.',
      registers,
      collect() {
        this.set(src.activeBans());
      },
    });
    new Gauge({
      name: 'sheriff_bans_not_enforced',
      help: 'Bans in force that block nothing: the firewall is a dry-run (alert on > 0).',
      registers,
      collect() {
        this.set(src.unenforcedBans());
      },
    });
    new Gauge({
      name: 'sheriff_approvals_pending',
      help: 'Approvals waiting for a decision.',
      registers,
      collect() {
        this.set(src.pendingApprovals());
      },
    });
    new Gauge({
      name: 'sheriff_store_bytes',
      help: 'Size of the SQLite store on disk (database and write-ahead log).',
      registers,
      collect() {
        this.set(src.storeBytes());
      },
    });
    new Gauge({
      name: 'sheriff_web_login_addresses',
      help: 'Client addresses (IPv6 /64s) with failed console logins remembered for throttling (bounded).',
      registers,
      collect() {
        this.set(src.loginAddresses());
      },
    });
    new Gauge({
      name: 'sheriff_source_lag',
      help: 'Bytes (file) or records (journal) written but not read yet, by source.',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const h of src.health()) if (h.lag !== null) this.set({ source: h.id }, h.lag);
      },
    });
    new Gauge({
      name: 'sheriff_source_errors',
      help: 'Errors each source has had since the daemon started (e.g. the unread rest of a rotated file not found: lines lost).',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const h of src.health()) this.set({ source: h.id }, h.errors);
      },
    });
    new Gauge({
      name: 'sheriff_source_last_line_age_seconds',
      help: 'Seconds since each source last delivered a line.',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const h of src.health())
          if (h.lastLineAt !== null) this.set({ source: h.id }, (now - h.lastLineAt) / 1000);
      },
    });
  }

  event(e: EventRecord): void {
    this.events.inc({ jail: e.jail, result: e.result });
  }

  ambiguous(jail: string): void {
    this.ambiguousLines.inc({ jail });
  }

  finding(f: Finding): void {
    this.findings.inc({ kind: f.kind });
  }

  llmTokens(usage: { input: number; output: number }): void {
    if (usage.input > 0) this.tokens.inc({ kind: 'input' }, usage.input);
    if (usage.output > 0) this.tokens.inc({ kind: 'output' }, usage.output);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
