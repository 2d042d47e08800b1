/**
 * Hostile input for the termination property tests and `npm run fuzz`: real
 * log lines (the filters' samples, fail2ban's corpus, journald JSON, one line per
 * header format) cut at any length, mutated (byte flips, insertions, deletions,
 * duplicated runs), and random text and bytes. fast-check draws them from a
 * seed, so a failure is reproduced by its seed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { filterRegistry } from '../filters/registry.js';
import { REPO_ROOT } from './paths.js';

/** One line per header form the parser reads, so every form is cut at every length. */
export const FORMAT_LINES: readonly string[] = [
  'Nov  2 07:51:41 host sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2',
  'Jul 05 18:22:44.123 host sshd[123]: Invalid user admin from 192.0.2.1 port 22',
  '<38>Nov  2 07:51:41 sshd[7]: Failed password for root from 192.0.2.1 port 22 ssh2',
  'Nov  2 07:51:41 <auth.info> host sshd[7]: Connection closed by 192.0.2.1 port 22',
  'Nov  2 07:51:41 <4.3> host sshd[7]: Connection closed by 192.0.2.1 port 22',
  '2026-11-22T07:51:42.123456+09:00 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42+0900 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42-05:30 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42Z host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42.5Z host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42,123 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22T07:51:42.5 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-11-22 07:51:42 host sshd[1]: Failed password for x from 192.0.2.1 port 2 ssh2',
  '2026-12-06T20:00:00.5',
  '@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed, 1 attempts): user=<a@b>, rip=192.0.2.1, lip=192.0.2.2',
  '<38>1 2026-11-22T07:51:42.954167-04:00 host sshd 57915 - - Failed password for root from 192.0.2.1 port 5 ssh2',
  '<38>1 - host sshd - ID1 [a b="c\\"]"][d@1 e="[x]"] \ufeffFailed password for root from 192.0.2.1 port 5 ssh2',
  '2012/04/09 11:53:29 [error] 2865#0: *66647 user "xyz" was not found in "/var/www/.htpasswd", client: 192.0.2.1, server: www.example.com, request: "GET / HTTP/1.1", host: "www.example.com"',
  '192.0.2.1 - user [21/Jul/2014:00:23:28 +0200] "GET /phpmyadmin HTTP/1.1" 404 162 "-" "Mozilla"',
  'host kernel: [  970.699396] sshd[1]: x',
  'host sshd(pam_unix)[123]: authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1 user=root',
  'host auth(user,192.0.2.1,sasl:login)<abc>: Password mismatch',
  'host [ID 800047 auth.info] sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2',
];

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? corpusFiles(path) : [path];
  });
}

function linesOf(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

let corpusCache: string[] | null = null;

/** Every real line the repository holds as test data, and one line per header form. */
export function realLines(): readonly string[] {
  corpusCache ??= [
    ...FORMAT_LINES,
    ...filterRegistry()
      .all()
      .flatMap((f) => f.samples.map((s) => s.text)),
    ...corpusFiles(join(REPO_ROOT, 'test', 'fixtures', 'fail2ban', 'logs')).flatMap(linesOf),
    ...linesOf(join(REPO_ROOT, 'test', 'fixtures', 'journald', 'sshd.jsonl')),
  ];
  return corpusCache;
}

/** Characters that steer the scanners: digits, separators, brackets, quotes, escapes, controls. */
const STEERING = [
  ...'0123456789 :.,+-TZz<>[]{}()"\\@#/=;*%',
  '\n',
  '\r',
  '\t',
  '\0',
  '\ufeff',
  '\u00e9',
  '\u{1f600}',
  '\ud800', // a lone surrogate
];

const steeringChar = fc.constantFrom(...STEERING);
const anyChar = fc.oneof(steeringChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

type Edit =
  | { kind: 'flip'; at: number; to: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'repeat'; at: number; n: number; times: number }
  | { kind: 'cut'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, to: anyChar }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    text: fc.string({ unit: anyChar, minLength: 1, maxLength: 12 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    n: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    n: fc.integer({ min: 1, max: 40 }),
    times: fc.integer({ min: 2, max: 60 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
);

function applyEdit(s: string, e: Edit): string {
  const at = Math.floor(e.at * (s.length + 1));
  switch (e.kind) {
    case 'flip':
      return s.slice(0, at) + e.to + s.slice(at + 1);
    case 'insert':
      return s.slice(0, at) + e.text + s.slice(at);
    case 'delete':
      return s.slice(0, at) + s.slice(at + e.n);
    case 'repeat':
      return s.slice(0, at) + s.slice(at, at + e.n).repeat(e.times) + s.slice(at + e.n);
    case 'cut':
      return s.slice(0, at);
  }
}

/** A line of `lines` cut at any length. */
export function truncated(lines: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...lines), position)
    .map(([l, at]) => l.slice(0, Math.floor(at * (l.length + 1))));
}

/** A line of `lines` with one to five edits. */
export function mutated(lines: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...lines), fc.array(edit, { minLength: 1, maxLength: 5 }))
    .map(([l, edits]) => edits.reduce(applyEdit, l));
}

/** Random text: steering characters, any code point, or the two mixed. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: steeringChar, maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: anyChar, maxLength: 400 }),
);

/** The mix the properties run: real lines cut, mutated, mutated then cut, and random text. */
export function hostileLines(lines: readonly string[] = realLines()): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: truncated(lines), weight: 3 },
    { arbitrary: mutated(lines), weight: 4 },
    { arbitrary: truncated(lines).chain((l) => mutated([l])), weight: 1 },
    { arbitrary: randomText, weight: 2 },
  );
}

/** Bytes: hostile lines as UTF-8 (newlines inside), invalid UTF-8 spliced in, or random bytes. */
export function hostileBytes(lines: readonly string[] = realLines()): fc.Arbitrary<Uint8Array> {
  const utf8 = fc
    .array(hostileLines(lines), { minLength: 1, maxLength: 6 })
    .map((ls) => new Uint8Array(Buffer.from(ls.join('\n'))));
  const spliced = fc
    .tuple(utf8, fc.uint8Array({ minLength: 1, maxLength: 8 }), position)
    .map(([b, junk, at]) => {
      const i = Math.floor(at * (b.length + 1));
      return new Uint8Array(Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]));
    });
  return fc.oneof(
    { arbitrary: utf8, weight: 3 },
    { arbitrary: spliced, weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 },
  );
}

/** Where a stream is cut into chunks (fractions of its length, sorted by the consumer). */
export const cuts: fc.Arbitrary<number[]> = fc.array(position, { maxLength: 6 });

/** `bytes` cut at `at` (fractions of its length) into consecutive chunks. */
export function chunked(bytes: Uint8Array, at: readonly number[]): Buffer[] {
  const points = at.map((f) => Math.floor(f * (bytes.length + 1))).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(from, p)));
    from = p;
  }
  return out;
}
