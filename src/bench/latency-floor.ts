/**
 * The latency floor: the least a Node watcher must do to report a finding.
 * Watches FILE with fs.watch (inotify), reads what was appended with readSync,
 * counts "Failed password … from ADDR" per address and, at the MAXRETRY-th,
 * writes one JSON line `{"event":"finding","ip":ADDR}` on stderr. No parser, no
 * jails, no store: the benchmark runs it like Sheriff, so the difference between
 * the two is what Sheriff's own pipeline adds to the wake-up and the pipe.
 *
 * `node dist/bench/latency-floor.js FILE MAXRETRY`
 */
import { fstatSync, openSync, readSync, watch } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const [file, max] = [process.argv[2], Number(process.argv[3] ?? '3')];
if (file === undefined || !Number.isInteger(max) || max < 1) {
  process.stderr.write('usage: node dist/bench/latency-floor.js FILE MAXRETRY\n');
  process.exit(2);
}

const fd = openSync(file, 'r');
let pos = fstatSync(fd).size;
const buf = Buffer.allocUnsafe(1 << 16);
const decoder = new StringDecoder('utf8');
const counts = new Map<string, number>();
const FAIL = /Failed password for .* from (\S+) port \d+/;
let rest = '';

function drain(): void {
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) return;
    pos += n;
    const text = rest + decoder.write(buf.subarray(0, n));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const m = FAIL.exec(text.slice(start, nl));
      start = nl + 1;
      if (m === null) continue;
      const ip = m[1]!;
      const c = (counts.get(ip) ?? 0) + 1;
      counts.set(ip, c);
      if (c === max) process.stderr.write(JSON.stringify({ event: 'finding', ip }) + '\n');
    }
    rest = text.slice(start);
  }
}

watch(file, () => drain());
setInterval(drain, 1000); // the same fallback as Sheriff's file source
process.stderr.write('{"event":"ready"}\n');
