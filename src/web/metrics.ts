/**
 * `/metrics` in Prometheus text format, read at scrape time: the counts
 * `sheriff status` and the dashboard show too (store/counts.ts: the daemon's
 * per-jail counters as it last published them, every few seconds, and the
 * store's bans, approvals and last 24 hours), the sources' health, and the
 * analyst's tokens. Each server has its own registry (no global state shared
 * between instances).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { SourceHealth } from '../sources/source.js';
import type { Counts } from '../store/counts.js';

export interface MetricsSources {
  counts: () => Promise<Counts>;
  storeBytes: () => number;
  health: () => SourceHealth[];
  loginAddresses: () => number;
}

export class WebMetrics {
  readonly registry = new Registry();
  private readonly tokens: Counter<'kind'>;
  /** Read once per scrape, for every metric made of it. */
  private counts: Counts | null = null;

  constructor(private readonly src: MetricsSources) {
    const registers = [this.registry];
    const health = src.health;
    const counts = () => this.counts!;
    /** A counter the daemon keeps: set from its published value per jail. */
    const perJail = (
      name: string,
      help: string,
      labelNames: readonly ('jail' | 'result')[],
      values: (jail: Counts['jails'][string]) => [Partial<Record<'result', string>>, number][],
    ) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [jail, c] of Object.entries(counts().jails))
            for (const [labels, value] of values(c)) this.inc({ jail, ...labels }, value);
        },
      });
    perJail(
      'sheriff_events_total',
      'Classified log events since the daemon started, by jail and result: failed attempts (a line saying "3 failures" counts 3) and successful logins.',
      ['jail', 'result'],
      (c) => [
        [{ result: 'fail' }, c.fail],
        [{ result: 'success' }, c.success],
      ],
    );
    perJail(
      'sheriff_findings_total',
      'Findings (bruteforce, slow-bruteforce, compromise…) since the daemon started, by jail.',
      ['jail'],
      (c) => [[{}, c.findings]],
    );
    perJail(
      'sheriff_ambiguous_lines_total',
      'Lines that name their address in two places (a user name holding "from <address>") and were counted without one, by jail.',
      ['jail'],
      (c) => [[{}, c.ambiguous]],
    );
    this.tokens = new Counter({
      name: 'sheriff_llm_tokens_total',
      help: 'LLM tokens used by the analyst, by kind (input, output).',
      labelNames: ['kind'],
      registers,
    });
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    gauge(
      'sheriff_failures_24h',
      'Failed attempts in the last 24 hours.',
      () => counts().failures24h,
    );
    gauge('sheriff_findings_24h', 'Findings in the last 24 hours.', () => counts().findings24h);
    gauge('sheriff_bans_active', 'Bans in force.', () => counts().activeBans);
    gauge(
      'sheriff_bans_not_enforced',
      'Bans in force that block nothing: the firewall is a dry-run (alert on > 0).',
      () => counts().unenforcedBans,
    );
    gauge(
      'sheriff_approvals_pending',
      'Approvals waiting for a decision.',
      () => counts().pendingApprovals,
    );
    gauge(
      'sheriff_store_bytes',
      'Size of the SQLite store on disk (database and write-ahead log).',
      src.storeBytes,
    );
    gauge(
      'sheriff_web_login_addresses',
      'Client addresses (IPv6 /64s) with failed console logins remembered for throttling (bounded).',
      src.loginAddresses,
    );
    new Gauge({
      name: 'sheriff_source_lag',
      help: 'Bytes (file) or records (journal) written but not read yet, by source.',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const h of health()) if (h.lag !== null) this.set({ source: h.id }, h.lag);
      },
    });
    new Gauge({
      name: 'sheriff_source_errors',
      help: 'Errors each source has had since the daemon started (e.g. the unread rest of a rotated file not found: lines lost).',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const h of health()) this.set({ source: h.id }, h.errors);
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
        for (const h of health())
          if (h.lastLineAt !== null) this.set({ source: h.id }, (now - h.lastLineAt) / 1000);
      },
    });
  }

  llmTokens(usage: { input: number; output: number }): void {
    if (usage.input > 0) this.tokens.inc({ kind: 'input' }, usage.input);
    if (usage.output > 0) this.tokens.inc({ kind: 'output' }, usage.output);
  }

  async text(): Promise<string> {
    this.counts = await this.src.counts();
    try {
      return await this.registry.metrics();
    } finally {
      this.counts = null;
    }
  }
}
