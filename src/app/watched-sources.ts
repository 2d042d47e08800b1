/**
 * The sources the daemon reads, each with the jails its lines go to, and the
 * failures the daemon counted while processing them (a line that tripped a
 * bug, a source that stopped): their health as `sheriff status`, /metrics and
 * the web console show it.
 */
import type { Clock } from '../clock.js';
import type { SheriffConfig } from './config.js';
import { createSource } from '../sources/registry.js';
import type { Source, SourceHealth } from '../sources/source.js';

/** Counted, never fatal. */
export interface SourceFailures {
  errors: number;
  lastError: string | null;
}

export interface WatchedSource {
  source: Source;
  /** The jails its lines go to; undefined: every jail. */
  jails: string[] | undefined;
  failures: SourceFailures;
}

export class WatchedSources {
  readonly all: readonly WatchedSource[];

  /** Throws for a source's settings that cannot work (a journald unit name…). */
  constructor(configs: SheriffConfig['sources'], clock: Clock) {
    this.all = configs.map((cfg) => ({
      source: createSource(cfg, clock),
      jails: cfg.jails,
      failures: { errors: 0, lastError: null },
    }));
  }

  /** Each source's health, with the lines the daemon could not process counted as its errors. */
  health(): SourceHealth[] {
    return this.all.map(({ source, failures: f }) => {
      const h = source.health();
      if (f.errors === 0) return h;
      return { ...h, errors: h.errors + f.errors, lastError: f.lastError ?? h.lastError };
    });
  }
}
