/**
 * The detection path for one line: parse → every jail's filter → its address
 * tracker → findings. Live watching and replay run this same code; only the
 * clock and the source differ.
 */
import {
  FINDING_KINDS,
  type AuthEvent,
  type Finding,
  type FindingKind,
  type Millis,
} from '../domain.js';
import { compileFilter, type Classifier, type CompileOptions } from '../filters/engine.js';
import type { FilterRegistry } from '../filters/registry.js';
import { unparsedRecord, type LineParser } from '../parse/line.js';
import type { JailSettings } from './jail.js';
import { isProbe, probeRules } from './probes.js';
import { AddressTracker } from './tracker.js';

export interface Jail {
  settings: JailSettings;
  classifier: Classifier;
  tracker: AddressTracker;
  /** Rules whose lines are connections that never tried to log in (detect/probes.ts). */
  probes: ReadonlySet<string>;
}

export class UnknownFilterError extends Error {}

export interface JailOptions extends CompileOptions {
  /** The filters in force (the registry is passed in: it loads YAML and zod, which start-up does not). */
  filters: Pick<FilterRegistry, 'spec'>;
}

/**
 * `journal` keeps the connection addresses the jail's filter learns (the daemon's, across
 * restarts); `times`, the zone and "now" for times filters read from a service's own log.
 */
export function buildJail(settings: JailSettings, options: JailOptions): Jail {
  const { filters, ...compile } = options;
  const spec = filters.spec(settings.filter);
  if (spec === undefined) throw new UnknownFilterError(settings.filter);
  return {
    settings,
    classifier: compileFilter(spec, settings.mode, compile),
    tracker: new AddressTracker(settings),
    probes: probeRules(spec, settings.mode),
  };
}

export interface PipelineCounts {
  lines: number;
  malformed: number;
  events: { fail: number; success: number; nofail: number };
  /** Connections that never tried to log in (scanners), with an address. */
  probes: number;
  /** Lines whose address could be read in two places and was not settled (counted without one). */
  ambiguous: number;
  findings: Record<Finding['kind'], number>;
}

export type FindingHandler = (finding: Finding, event: AuthEvent) => void;
export type EventHandler = (event: AuthEvent, jail: Jail, line: string) => void;

export class Pipeline {
  readonly counts: PipelineCounts = {
    lines: 0,
    malformed: 0,
    events: { fail: 0, success: 0, nofail: 0 },
    probes: 0,
    ambiguous: 0,
    findings: Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>,
  };

  constructor(
    readonly jails: readonly Jail[],
    private readonly parser: LineParser,
    private readonly clock: () => Millis,
    private readonly onFinding: FindingHandler,
    private readonly onEvent?: EventHandler,
  ) {}

  line(text: string): void {
    this.counts.lines++;
    let record = this.parser.parse(text);
    if (record === null) {
      this.counts.malformed++;
      // Still offered as it is: a filter with its own line format may read it.
      record = unparsedRecord(text);
    }
    for (const jail of this.jails) {
      const event = jail.classifier.classify(record, text);
      if (event !== null && event.result !== 'none') this.event(event, jail, text);
    }
  }

  /** A jail's event for a line: counted, then detected (replay's workers classify elsewhere). */
  event(event: AuthEvent, jail: Jail, text: string): void {
    this.counts.events[event.result as Exclude<AuthEvent['result'], 'none'>]++;
    if (event.ambiguous) this.counts.ambiguous++;
    if (isProbe(event, jail.probes)) this.counts.probes++;
    this.onEvent?.(event, jail, text);
    const findings = jail.tracker.observe(event, this.clock());
    for (const f of findings) {
      this.counts.findings[f.kind]++;
      this.onFinding(f, event);
    }
  }
}
