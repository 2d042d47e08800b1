/**
 * Reputation APIs, used only when an API key is configured: AbuseIPDB (v2
 * /check), GreyNoise community (/v3/community/{ip}) and AlienVault OTX
 * (/api/v1/indicators/IPv4/{ip}/general). Each one:
 *
 * - answers from the store's cache while the answer is fresh (ttl);
 * - sends at most `perMinute` requests a minute (the rest answer null now and
 *   are asked again at the next triage);
 * - gives up after `timeout` (null), and after a 429 backs off until the
 *   service's Retry-After / X-RateLimit-Reset (15 minutes when it names none);
 * - never rejects, never logs the key (it travels in a header only).
 *
 * Each service's answer becomes an abuse confidence 0–100 and a short summary.
 */
import type { Millis } from '../domain.js';
import type { Logger } from '../log.js';
import { canonicalIp } from '../net/ip.js';
import type { ReputationConfig } from './config.js';
import type { IntelAnswer, IntelProvider } from './provider.js';

/** Where answers are cached: the records' intel cache (store/intel.ts; at a hub, PostgreSQL's). */
export interface IntelCache {
  get(
    provider: string,
    ip: string,
    now: Millis,
  ): { value: unknown } | null | Promise<{ value: unknown } | null>;
  put(provider: string, ip: string, value: unknown, now: Millis, ttl: Millis): unknown;
}

export interface ReputationOptions {
  key: string;
  cache: IntelCache;
  fetch?: typeof fetch;
  logger?: Logger;
}

const DEFAULT_BACKOFF_MS = 15 * 60_000;

/** What one service's HTTP answer means. 'unknown': the service knows nothing (cached too). */
type Parsed = IntelAnswer | 'unknown';

export abstract class ReputationProvider implements IntelProvider {
  abstract readonly id: string;
  readonly local = false;
  private sent: Millis[] = [];
  private backoffUntil: Millis = 0;
  /** Requests made, answered from cache, skipped (rate limit, back-off) and failed: for status. */
  readonly stats = { requests: 0, cached: 0, skipped: 0, failed: 0, rateLimited: 0 };

  constructor(
    protected readonly cfg: ReputationConfig,
    private readonly opts: ReputationOptions,
  ) {}

  protected abstract url(ip: string): string;
  protected abstract headers(key: string): Record<string, string>;
  protected abstract parse(status: number, body: unknown): Parsed | null;

  async lookup(ip: string, now: Millis): Promise<IntelAnswer | null> {
    // Only an address goes into the URL and the cache: a crafted string reaches neither.
    if (canonicalIp(ip) !== ip) return null;
    const hit = await this.withCache(() => this.opts.cache.get(this.id, ip, now), null);
    if (hit !== null) {
      this.stats.cached++;
      return isAnswer(hit.value) ? hit.value : null;
    }
    if (now < this.backoffUntil || !this.takeToken(now)) {
      this.stats.skipped++;
      return null;
    }
    this.stats.requests++;
    try {
      const res = await (this.opts.fetch ?? fetch)(this.url(ip), {
        headers: { accept: 'application/json', ...this.headers(this.opts.key) },
        signal: AbortSignal.timeout(this.cfg.timeout),
      });
      if (res.status === 429) {
        this.stats.rateLimited++;
        this.backoffUntil = now + backoffMs(res.headers, now);
        this.opts.logger?.warn(
          { event: 'intel_rate_limited', provider: this.id, until: this.backoffUntil },
          `${this.id} says too many requests: paused`,
        );
        await res.body?.cancel();
        return null;
      }
      const body: unknown = await res.json().catch(() => null);
      const parsed = this.parse(res.status, body);
      if (parsed === null) throw new Error(`HTTP ${res.status}`);
      const value = parsed === 'unknown' ? null : parsed;
      await this.withCache(() => this.opts.cache.put(this.id, ip, value, now, this.cfg.ttl), null);
      return value;
    } catch (err) {
      this.stats.failed++;
      this.opts.logger?.warn(
        { event: 'intel_request_failed', provider: this.id, err: messageOf(err) },
        `${this.id} did not answer; triage goes on without it`,
      );
      return null;
    }
  }

  /** The cache's answer, or `otherwise` when it cannot be read or written (a database away). */
  private async withCache<T>(use: () => T | Promise<T>, otherwise: T): Promise<T> {
    try {
      return await use();
    } catch (err) {
      this.opts.logger?.warn(
        { event: 'intel_cache_failed', provider: this.id, err: messageOf(err) },
        'the intel cache cannot be used; the service is asked instead',
      );
      return otherwise;
    }
  }

  private takeToken(now: Millis): boolean {
    this.sent = this.sent.filter((t) => t > now - 60_000);
    if (this.sent.length >= this.cfg.perMinute) return false;
    this.sent.push(now);
    return true;
  }
}

/** AbuseIPDB v2: GET /api/v2/check?ipAddress=…, header Key; data.abuseConfidenceScore. */
export class AbuseIpDb extends ReputationProvider {
  readonly id = 'abuseipdb';
  protected url(ip: string): string {
    return `${this.cfg.baseUrl}/api/v2/check?ipAddress=${encodeURIComponent(ip)}&maxAgeInDays=90`;
  }
  protected headers(key: string): Record<string, string> {
    return { key };
  }
  protected parse(status: number, body: unknown): Parsed | null {
    const data = field(body, 'data');
    const score = field(data, 'abuseConfidenceScore');
    if (status !== 200 || typeof score !== 'number') return null;
    const reports = field(data, 'totalReports');
    const country = field(data, 'countryCode');
    return {
      reputation: clamp(score),
      ...(typeof country === 'string' ? { country } : {}),
      summary: `AbuseIPDB ${clamp(score)}%${typeof reports === 'number' ? `, ${reports} reports` : ''}`,
    };
  }
}

/** GreyNoise community: GET /v3/community/{ip}, header key; classification, 404 when not observed. */
export class GreyNoise extends ReputationProvider {
  readonly id = 'greynoise';
  protected url(ip: string): string {
    return `${this.cfg.baseUrl}/v3/community/${encodeURIComponent(ip)}`;
  }
  protected headers(key: string): Record<string, string> {
    return { key };
  }
  protected parse(status: number, body: unknown): Parsed | null {
    if (status === 404 && field(body, 'noise') === false) return 'unknown';
    // Every community answer says whether the address is noise: without it, the body is not one.
    if (status !== 200 || typeof field(body, 'noise') !== 'boolean') return null;
    const classification = field(body, 'classification');
    const riot = field(body, 'riot') === true;
    const score =
      classification === 'malicious'
        ? 90
        : riot || classification === 'benign'
          ? 0
          : field(body, 'noise') === true
            ? 40
            : null;
    if (score === null) return 'unknown';
    const name = field(body, 'name');
    return {
      reputation: score,
      summary: `GreyNoise: ${typeof classification === 'string' ? classification : 'unknown'}${
        typeof name === 'string' && name !== 'unknown' ? ` (${name})` : ''
      }`,
    };
  }
}

/** AlienVault OTX: GET /api/v1/indicators/IPv4|IPv6/{ip}/general, header X-OTX-API-KEY; pulse_info.count. */
export class Otx extends ReputationProvider {
  readonly id = 'otx';
  protected url(ip: string): string {
    const family = ip.includes(':') ? 'IPv6' : 'IPv4';
    return `${this.cfg.baseUrl}/api/v1/indicators/${family}/${encodeURIComponent(ip)}/general`;
  }
  protected headers(key: string): Record<string, string> {
    return { 'x-otx-api-key': key };
  }
  protected parse(status: number, body: unknown): Parsed | null {
    const pulses = field(field(body, 'pulse_info'), 'count');
    if (status !== 200 || typeof pulses !== 'number') return null;
    // Ten pulses (threat reports) naming the address make it certain enough.
    const answer: IntelAnswer = {
      reputation: clamp(pulses * 10),
      summary: `OTX: ${pulses} pulses`,
    };
    const country = field(body, 'country_code');
    if (typeof country === 'string' && country !== '') answer.country = country;
    const asnField = field(body, 'asn');
    const asn = typeof asnField === 'string' ? /^AS(\d+)\s*(.*)$/.exec(asnField) : null;
    if (asn !== null) {
      answer.asn = Number(asn[1]);
      answer.asOrg = asn[2] === '' ? null : asn[2]!;
    }
    return answer;
  }
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && key in v
    ? (v as Record<string, unknown>)[key]
    : undefined;
}

function clamp(n: number): number {
  return Math.max(0, Math.min(100, Math.round(n)));
}

function isAnswer(v: unknown): v is IntelAnswer {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Retry-After (seconds or a date) or X-RateLimit-Reset (epoch seconds), else 15 minutes. */
function backoffMs(h: Headers, now: Millis): number {
  const after = h.get('retry-after');
  if (after !== null) {
    if (/^\d+$/.test(after.trim())) return Number(after) * 1000;
    const at = Date.parse(after);
    if (!Number.isNaN(at) && at > now) return at - now;
  }
  const reset = h.get('x-ratelimit-reset');
  if (reset !== null && /^\d+$/.test(reset.trim()) && Number(reset) * 1000 > now)
    return Number(reset) * 1000 - now;
  return DEFAULT_BACKOFF_MS;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
