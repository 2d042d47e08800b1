/**
 * The IntelProvider family: what one source of threat intelligence (trusted
 * networks, a GeoIP database, blocklists, a reputation API) says about an
 * address. Each implementation is one file in intel/; the Enricher
 * (intel/enricher.ts) asks them all and merges the answers.
 */
import type { Millis, Enrichment } from '../domain.js';

/** What one provider knows; fields it has nothing to say about are left out. */
export type IntelAnswer = Partial<Omit<Enrichment, 'sources'>> & {
  /** A short human summary for display ("AbuseIPDB 87%", "GreyNoise: malicious"). */
  summary?: string;
};

/**
 * - `lookup` takes a canonical address (net/ip.ts) and answers null for
 *   anything else, without I/O. It MUST NOT throw or reject: a provider that fails (timeout, quota, a bad file) resolves null and
 *   logs or counts the failure itself, so enrichment never stops triage. A
 *   failure is never cached, and never answered as a clean score.
 * - A provider that needs the network SHOULD cache answers (store/intel.ts)
 *   and rate-limit itself; `local` providers (files in memory) answer at once.
 * - `internal` answers come only from the trusted-network provider.
 */
export interface IntelProvider {
  /** The YAML word and display name: 'trusted', 'geoip', 'blocklist:firehol_level1', 'abuseipdb'. */
  readonly id: string;
  /** Answers from memory, with no I/O (true) or may call out (false). */
  readonly local: boolean;
  lookup(ip: string, now: Millis): Promise<IntelAnswer | null>;
}
