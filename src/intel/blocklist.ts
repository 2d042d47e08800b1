/**
 * Blocklists: FireHOL netsets, Spamhaus DROP (JSON lines) and plain lists of
 * addresses or CIDRs, from a file or a URL. A URL's list is downloaded into a
 * file beside the store and refreshed on its schedule; when offline, the last
 * copy keeps working. Lines that are not addresses are counted and skipped.
 * An entry covering private or bogon ranges never lists an internal address:
 * the Enricher answers for internal addresses from the trusted networks only.
 */
import { SetupError } from '../config/errors.js';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Millis } from '../domain.js';
import type { Logger } from '../log.js';
import { CidrError, CidrSet, parseCidr, type Cidr } from '../net/cidr.js';
import { canonicalIp, parseIp } from '../net/ip.js';
import type { BlocklistConfig } from './config.js';
import type { IntelAnswer, IntelProvider } from './provider.js';

export type BlocklistFormat = 'netset' | 'spamhaus-drop' | 'plain';

export interface ParsedBlocklist {
  networks: Cidr[];
  /** Lines that were neither comments nor addresses. */
  skipped: number;
}

/** Reads a list; 'auto' tells Spamhaus's JSON lines from the text formats by the first entry. */
export function parseBlocklist(
  text: string,
  format: BlocklistFormat | 'auto' = 'auto',
): ParsedBlocklist {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  const json = format === 'spamhaus-drop' || (format === 'auto' && first?.trim().startsWith('{'));
  const networks: Cidr[] = [];
  let skipped = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    let entry: string | null;
    if (json) entry = spamhausCidr(line);
    else entry = line.split(/[\s;#]/, 1)[0]!;
    if (entry === null) continue; // Spamhaus's metadata line
    try {
      networks.push(parseCidr(entry));
    } catch (err) {
      if (!(err instanceof CidrError)) throw err;
      skipped++;
    }
  }
  return { networks, skipped };
}

/** {"cidr":"1.10.16.0/20","sblid":"SBL256894","rir":"apnic"} → the cidr; the metadata line → null. */
function spamhausCidr(line: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return line; // not JSON: the caller counts it as skipped
  }
  if (typeof v !== 'object' || v === null) return line;
  if ('cidr' in v && typeof v.cidr === 'string') return v.cidr;
  if ('type' in v && v.type === 'metadata') return null;
  return line;
}

/**
 * After a failed download, the next try waits this long (or the list's own
 * refresh period when shorter): list hosts ask not to be polled often
 * (Spamhaus: at most hourly), and an offline host would log every minute.
 */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

export interface BlocklistOptions {
  /** Where downloaded lists are kept (a directory beside the store). */
  cacheDir: string;
  fetch?: typeof fetch;
  logger?: Logger;
}

export class BlocklistProvider implements IntelProvider {
  readonly id: string;
  readonly local = true;
  private set = new CidrSet([]);
  private loadedAt: Millis | null = null;
  private retryAt: Millis = 0;
  private readonly file: string;

  constructor(
    private readonly cfg: BlocklistConfig,
    private readonly opts: BlocklistOptions,
  ) {
    this.id = `blocklist:${cfg.name}`;
    this.file = cfg.path ?? join(opts.cacheDir, `${cfg.name}.list`);
  }

  get name(): string {
    return this.cfg.name;
  }

  get size(): number {
    return this.set.size;
  }

  /** Whether a copy of the list is in use (false for a URL list not downloaded yet). */
  get loaded(): boolean {
    return this.loadedAt !== null;
  }

  /** Reads the file (the configured one, or the last download). False when there is none yet. */
  load(): boolean {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.cfg.url !== undefined)
        return false;
      throw new SetupError(
        `cannot read blocklist ${this.cfg.name} (${this.file}): ${(err as Error).message}`,
      );
    }
    const parsed = parseBlocklist(text, this.cfg.format);
    this.set = new CidrSet(parsed.networks);
    this.loadedAt = statSync(this.file).mtimeMs;
    this.opts.logger?.info(
      {
        event: 'blocklist_loaded',
        list: this.cfg.name,
        networks: parsed.networks.length,
        skipped: parsed.skipped,
      },
      `blocklist ${this.cfg.name}: ${parsed.networks.length} networks`,
    );
    return true;
  }

  /** Whether a URL list is due for download at `now`. */
  due(now: Millis): boolean {
    return (
      this.cfg.url !== undefined &&
      now >= this.retryAt &&
      (this.loadedAt === null || now - this.loadedAt >= this.cfg.refresh)
    );
  }

  /**
   * Downloads a URL list when due and loads it. Never rejects: a failed download
   * keeps the previous copy, is logged, and is tried again after
   * RETRY_AFTER_FAILURE_MS; returns whether a new copy was loaded.
   */
  async refresh(now: Millis): Promise<boolean> {
    if (!this.due(now) || this.cfg.url === undefined) return false;
    try {
      const res = await (this.opts.fetch ?? fetch)(this.cfg.url, {
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const text = await res.text();
      const parsed = parseBlocklist(text, this.cfg.format);
      if (parsed.networks.length === 0) throw new Error('the download holds no address');
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(`${this.file}.tmp`, text, { mode: 0o644 });
      renameSync(`${this.file}.tmp`, this.file);
      this.set = new CidrSet(parsed.networks);
      this.loadedAt = now;
      this.opts.logger?.info(
        { event: 'blocklist_refreshed', list: this.cfg.name, networks: parsed.networks.length },
        `blocklist ${this.cfg.name} downloaded: ${parsed.networks.length} networks`,
      );
      return true;
    } catch (err) {
      this.retryAt = now + Math.min(this.cfg.refresh, RETRY_AFTER_FAILURE_MS);
      this.opts.logger?.warn(
        { event: 'blocklist_refresh_failed', list: this.cfg.name, err },
        `blocklist ${this.cfg.name} could not be downloaded; the last copy stays in use`,
      );
      return false;
    }
  }

  has(ip: string): boolean {
    const parsed = parseIp(ip);
    return parsed !== null && this.set.has(parsed);
  }

  lookup(ip: string): Promise<IntelAnswer | null> {
    const listed = canonicalIp(ip) === ip && this.has(ip);
    return Promise.resolve(listed ? { blocklists: [this.cfg.name] } : null);
  }
}
