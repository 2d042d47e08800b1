/**
 * Every parser a hostile line or byte stream reaches, as targets for the
 * termination runner (termination.ts): line splitting, the header and
 * timestamp parsers, every built-in filter in every mode, the whole
 * parse → filter → detect path, syslog framing (UDP, TCP octet-counted and
 * newline-delimited), journald JSON and address parsing. A target draws its
 * inputs from `inputs()` (a fast-check arbitrary) or lists them all in `cases()`.
 */
import fc from 'fast-check';
import { defaultJail } from '../detect/jail.js';
import { buildJail, Pipeline } from '../detect/pipeline.js';
import type { LogRecord } from '../domain.js';
import { compileFilter } from '../filters/engine.js';
import { filterRegistry } from '../filters/registry.js';
import { CidrError, CidrSet, parseCidr } from '../net/cidr.js';
import { canonicalIp, parseIp } from '../net/ip.js';
import { parseJournalRecord } from '../parse/journal.js';
import { LineParser } from '../parse/line.js';
import { parseBsdTime, parseIsoTime, parseTai64n, YearInference } from '../parse/timestamp.js';
import { parseClfTime, parseNginxErrorTime } from '../parse/weblog.js';
import { TimeZone } from '../parse/zone.js';
import { cursorOf } from '../sources/journald.js';
import { LineSplitter } from '../sources/lines.js';
import { decodeMessage, SyslogFramer } from '../sources/syslog-server.js';
import {
  chunked,
  cuts,
  FORMAT_LINES,
  hostileBytes,
  hostileLines,
  mutated,
  realLines,
  truncated,
} from './hostile.js';

export interface Target<T> {
  inputs?(): fc.Arbitrary<T>;
  /** A fixed list instead of drawn inputs (every prefix of every real line). */
  cases?(): T[];
  /** Builds the parsers once; the returned function runs one input. */
  setup(): (input: T) => void;
}

const NOW = Date.UTC(2026, 11, 6, 12);
/** A zone with a real offset and DST, so local-time conversion runs too. */
const ZONE = 'Europe/Zurich';

function parser(): LineParser {
  return new LineParser({ zone: new TimeZone(ZONE), reference: () => NOW });
}

/** Every built-in filter in every mode. */
function classifiers() {
  return filterRegistry()
    .all()
    .flatMap(({ spec }) =>
      spec.modes.map((mode) => ({ spec, classifier: compileFilter(spec, mode) })),
    );
}

/** Every built-in filter as a jail with default thresholds: the whole detection path. */
function pipeline(): Pipeline {
  const trusted = new CidrSet([]);
  const jails = filterRegistry()
    .all()
    .map(({ spec }) =>
      buildJail(defaultJail(spec.name, trusted, spec.defaultMode), { filters: filterRegistry() }),
    );
  return new Pipeline(
    jails,
    parser(),
    () => NOW,
    () => undefined,
  );
}

/** The messages of the real lines: what filters see after the header. */
function realMessages(): string[] {
  const p = parser();
  return [...new Set(realLines().map((l) => p.parse(l)?.message ?? l))];
}

const split: Target<{ bytes: Uint8Array; at: number[]; max: number }> = {
  inputs: () =>
    fc.record({
      bytes: hostileBytes(),
      at: cuts,
      // A small limit too, so the over-long path runs.
      max: fc.constantFrom(16, 64, 64 * 1024),
    }),
  setup: () => (input) => {
    const s = new LineSplitter({ line: () => undefined, skipped: () => undefined }, input.max);
    for (const c of chunked(input.bytes, input.at)) s.push(c);
    s.end();
  },
};

const parse: Target<string> = {
  inputs: () => hostileLines(),
  setup: () => {
    const p = parser();
    return (line) => void p.parse(line);
  },
};

/** Every prefix of every real line, parsed and classified by every filter. */
const prefixes: Target<string> = {
  cases: () =>
    realLines().flatMap((l) => Array.from({ length: l.length + 1 }, (_, n) => l.slice(0, n))),
  setup: () => {
    const p = parser();
    const all = classifiers();
    return (line) => {
      const r = p.parse(line);
      if (r !== null) for (const { classifier } of all) classifier.classify(r);
    };
  },
};

/** Each timestamp parser called directly, at the start and a few characters in. */
const timestamps: Target<{ text: string; at: number }> = {
  inputs: () =>
    fc.record({
      text: fc.oneof(truncated(FORMAT_LINES), mutated(FORMAT_LINES), hostileLines()),
      at: fc.integer({ min: 0, max: 4 }),
    }),
  setup: () => {
    const zone = new TimeZone(ZONE);
    const years = new YearInference(zone, () => NOW);
    return ({ text, at }) => {
      parseIsoTime(text, at, zone);
      parseBsdTime(text, at, years);
      parseTai64n(text, at);
      parseNginxErrorTime(text, at, zone);
      parseClfTime(text, at);
    };
  },
};

/** Records that reach every filter's rules: its own program names, hostile messages. */
const filters: Target<{ which: number; program: number; pid: number; message: string }> = {
  inputs: () =>
    fc.record({
      which: fc.nat(),
      program: fc.nat(),
      pid: fc.integer({ min: 1, max: 4 }),
      message: hostileLines(realMessages()),
    }),
  setup: () => {
    const all = classifiers();
    return ({ which, program, pid, message }) => {
      const { spec, classifier } = all[which % all.length]!;
      const programs = (spec.programs ?? ['any']).map((p) => p.replace(/\*$/, 'x'));
      const record: LogRecord = {
        time: NOW,
        host: 'h',
        program: programs[program % programs.length]!,
        pid,
        message,
        format: 'bsd',
      };
      classifier.classify(record);
    };
  },
};

/** The whole path a daemon runs per line: parse, every filter, address tracking, findings. */
const detect: Target<string> = {
  inputs: () => hostileLines(),
  setup: () => {
    const p = pipeline();
    return (line) => p.line(line);
  },
};

/** A UDP datagram: one message, decoded and parsed. */
const syslogUdp: Target<Uint8Array> = {
  inputs: () => hostileBytes(),
  setup: () => {
    const p = parser();
    return (datagram) => {
      const text = decodeMessage(Buffer.from(datagram), () => undefined);
      if (text !== null) p.parse(text);
    };
  },
};

/** A frame of an RFC 6587 stream: octet-counted (right, wrong or absurd length) or a line. */
const frame: fc.Arbitrary<Uint8Array> = fc.oneof(
  hostileBytes().map((b) => new Uint8Array(Buffer.concat([Buffer.from(`${b.length} `), b]))),
  fc
    .tuple(hostileBytes(), fc.integer({ min: -5, max: 5 }))
    .map(
      ([b, d]) => new Uint8Array(Buffer.concat([Buffer.from(`${Math.max(0, b.length + d)} `), b])),
    ),
  fc
    .tuple(fc.stringMatching(/^[0-9]{1,14} ?$/), hostileBytes())
    .map(([n, b]) => new Uint8Array(Buffer.concat([Buffer.from(n), b]))),
  hostileBytes().map((b) => new Uint8Array(Buffer.concat([b, Buffer.from('\n')]))),
);

const syslogTcp: Target<{ frames: Uint8Array[]; at: number[]; max: number }> = {
  inputs: () =>
    fc.record({
      frames: fc.array(frame, { minLength: 1, maxLength: 5 }),
      at: cuts,
      max: fc.constantFrom(16, 64 * 1024),
    }),
  setup: () => {
    const p = parser();
    return ({ frames, at, max }) => {
      const framer = new SyslogFramer(
        { message: (text) => void p.parse(text), skipped: () => undefined },
        max,
      );
      for (const c of chunked(Buffer.concat(frames), at)) framer.push(c);
      framer.end();
    };
  },
};

/** journalctl JSON: real records cut and mutated, and any JSON value. */
const journal: Target<string> = {
  inputs: () => {
    const records = realLines().filter((l) => l.startsWith('{'));
    return fc.oneof(
      hostileLines(records),
      fc.json({ maxDepth: 3 }),
      fc
        .dictionary(
          fc.constantFrom('MESSAGE', '_COMM', '__CURSOR', '_PID', '__REALTIME_TIMESTAMP'),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map((o) => JSON.stringify(o)),
    );
  },
  setup: () => (line) => {
    parseJournalRecord(line);
    cursorOf(line);
  },
};

const ADDRESSES = [
  '192.0.2.1',
  '2001:db8::1',
  '::ffff:192.0.2.1',
  '64:ff9b::192.0.2.1',
  'fe80::1%eth0',
  '1:2:3:4:5:6:7:8',
  '192.0.2.0/24',
  '2001:db8::/32',
];

const ip: Target<string> = {
  inputs: () => fc.oneof(hostileLines(ADDRESSES), fc.ipV4(), fc.ipV6()),
  setup: () => (text) => {
    canonicalIp(text);
    parseIp(text);
    try {
      parseCidr(text);
    } catch (err) {
      if (!(err instanceof CidrError)) throw err;
    }
  },
};

/** The runner's own check: one input of a few spins for ever, and must be reported by name. */
const spin: Target<string> = {
  cases: () => ['a', 'b', 'spin', 'c'],
  setup: () => (text) => {
    while (text === 'spin');
  },
};

export const TARGETS = {
  split,
  parse,
  prefixes,
  timestamps,
  filters,
  detect,
  'syslog-udp': syslogUdp,
  'syslog-tcp': syslogTcp,
  journal,
  ip,
  spin,
};

export type TargetName = keyof typeof TARGETS;
