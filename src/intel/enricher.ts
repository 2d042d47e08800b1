/**
 * Asks every intel provider about an address and merges the answers into one
 * Enrichment. Internal addresses are answered by the trusted networks alone:
 * no reputation API is asked about them, and a blocklist entry that covers a
 * private or bogon range never marks one as listed.
 */
import type { Millis, Enrichment } from '../domain.js';
import type { Logger } from '../log.js';
import type { IntelAnswer, IntelProvider } from './provider.js';
import type { TrustedProvider } from './trusted.js';

export interface EnricherOptions {
  trusted: TrustedProvider;
  /** Every other provider (GeoIP, blocklists, reputation APIs), in display order. */
  providers: readonly IntelProvider[];
  clock: () => Millis;
  logger?: Logger;
}

export class Enricher {
  constructor(private readonly o: EnricherOptions) {}

  get providers(): readonly IntelProvider[] {
    return this.o.providers;
  }

  /** What intel knows about an address or (by its network address) a prefix. Never rejects. */
  async enrich(ipOrCidr: string): Promise<Enrichment> {
    const slash = ipOrCidr.indexOf('/');
    const ip = slash === -1 ? ipOrCidr : ipOrCidr.slice(0, slash);
    const internal = this.o.trusted.isInternal(ip);
    const now = this.o.clock();
    const asked = this.o.providers.filter((p) => !internal || p.local);
    const answers = await Promise.all(
      asked.map((p) =>
        p.lookup(ip, now).then(
          (a) => [p.id, a] as const,
          (err: unknown) => {
            // The contract says lookup never rejects; one that does is logged, not fatal.
            this.o.logger?.warn(
              { event: 'intel_failed', provider: p.id, err },
              'an intel provider failed',
            );
            return [p.id, null] as const;
          },
        ),
      ),
    );
    return mergeAnswers(internal, answers);
  }
}

export function mergeAnswers(
  internal: boolean,
  answers: readonly (readonly [string, IntelAnswer | null])[],
): Enrichment {
  const e: Enrichment = {
    internal,
    blocklists: [],
    country: null,
    asn: null,
    asOrg: null,
    reputation: null,
    sources: {},
  };
  for (const [id, a] of answers) {
    if (a === null) continue;
    if (!internal)
      for (const b of a.blocklists ?? []) if (!e.blocklists.includes(b)) e.blocklists.push(b);
    e.country ??= a.country ?? null;
    if (e.asn === null && a.asn != null) {
      e.asn = a.asn;
      e.asOrg = a.asOrg ?? null;
    }
    if (a.reputation != null && !internal) e.reputation = Math.max(e.reputation ?? 0, a.reputation);
    if (a.summary !== undefined) e.sources[id] = a.summary;
  }
  return e;
}
