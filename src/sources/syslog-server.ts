/**
 * A syslog receiver on UDP and TCP for RFC 3164 and RFC 5424 messages. UDP: one
 * datagram is one message. TCP (RFC 6587): each frame is octet-counted
 * ("LEN SP MSG") when it starts with a digit run and a space, else
 * newline-delimited. Everything a peer sends is bounded: messages over
 * `maxMessageBytes` are counted and skipped without being held, connections are
 * capped, idle ones are closed, and a slow consumer pauses TCP reads (and drops
 * UDP datagrams, counted) instead of queueing without end.
 *
 * Each message is yielded as one line: a trailing newline (CR LF, NULs) is
 * stripped and newlines inside a message become "#012" ("#015" for CR), as
 * rsyslog writes them, so a message can neither split nor forge lines.
 */
import { createSocket } from 'node:dgram';
import { createServer, isIPv6, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import type { LineBatch, Source, SourceHealth } from './source.js';

export type SyslogProtocol = 'udp' | 'tcp';

export interface SyslogServerOptions {
  /** Address to listen on; host defaults to 127.0.0.1. Port 0 picks free ports (see listening()). */
  listen: { host?: string; port: number };
  protocols?: readonly SyslogProtocol[];
  /** Longest message accepted, in bytes (default 64 KiB). */
  maxMessageBytes?: number;
  /** Concurrent TCP connections; more are refused (default 100). */
  maxConnections?: number;
  /** A TCP connection silent this long is closed (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Wait before retrying a failed bind: doubles from `initialMs` up to `maxMs`. */
  bindRetry?: { initialMs: number; maxMs: number };
}

export interface BoundPorts {
  udp: number | null;
  tcp: number | null;
}

/** Messages queued before TCP reads pause and datagrams are dropped. */
const MAX_QUEUED = 10_000;
/** A longer digit run at a frame start is not a length: the frame is newline-delimited. */
const MAX_LENGTH_DIGITS = 10;

function escapeNewlines(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  return text.replace(/\r/g, '#015').replace(/\n/g, '#012');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** One message's bytes as a line, or null when it is skipped (NUL, invalid UTF-8) or empty. */
export function decodeMessage(buf: Buffer, skipped: () => void): string | null {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 10 || buf[end - 1] === 13 || buf[end - 1] === 0)) end--;
  if (end === 0) return null;
  const body = buf.subarray(0, end);
  let text: string;
  try {
    if (body.indexOf(0) !== -1) throw new Error('NUL');
    text = decoder.decode(body);
  } catch {
    skipped();
    return null;
  }
  return escapeNewlines(text);
}

export interface FrameSink {
  message(text: string): void;
  /** A message passed over: too long, invalid UTF-8, NUL bytes, cut off by the end of the stream. */
  skipped(): void;
}

/** RFC 6587 framing of one TCP stream, octet-counted or newline-delimited per frame. */
export class SyslogFramer {
  private mode: 'start' | 'octet' | 'line' = 'start';
  private digits = '';
  private remaining = 0;
  /** Bytes of the current octet-counted frame; null while discarding an over-long one. */
  private parts: Buffer[] | null = [];
  private readonly splitter: LineSplitter;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    const line = (text: string) => {
      if (text.length > 0) sink.message(escapeNewlines(text));
    };
    this.splitter = new LineSplitter({ line, skipped: () => sink.skipped() }, maxBytes);
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === 'line') {
        const nl = chunk.indexOf(10, i);
        const end = nl === -1 ? chunk.length : nl + 1;
        this.splitter.push(chunk.subarray(i, end));
        i = end;
        if (nl !== -1) this.mode = 'start';
      } else if (this.mode === 'octet') {
        const n = Math.min(this.remaining, chunk.length - i);
        this.parts?.push(Buffer.from(chunk.subarray(i, i + n)));
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) this.finishFrame();
      } else {
        const c = chunk[i]!;
        if (c >= 48 && c <= 57 && this.digits.length < MAX_LENGTH_DIGITS) {
          this.digits += String.fromCharCode(c);
          i++;
        } else if (c === 32 && this.digits.length > 0) {
          i++;
          this.remaining = Number(this.digits);
          this.digits = '';
          this.parts = this.remaining > this.maxBytes ? null : [];
          this.mode = 'octet';
          if (this.remaining === 0) this.mode = 'start';
        } else {
          // Not "LEN SP": the frame is a line, and any digits read are its start.
          this.mode = 'line';
          this.flushDigits();
        }
      }
    }
  }

  /** The peer closed: a last newline-less message counts, a cut octet-counted frame does not. */
  end(): void {
    if (this.mode === 'octet') this.sink.skipped();
    else {
      this.flushDigits();
      this.splitter.end();
    }
    this.mode = 'start';
    this.parts = [];
  }

  private flushDigits(): void {
    if (this.digits.length === 0) return;
    this.splitter.push(Buffer.from(this.digits, 'latin1'));
    this.digits = '';
  }

  private finishFrame(): void {
    this.mode = 'start';
    if (this.parts === null) return this.sink.skipped();
    const text = decodeMessage(Buffer.concat(this.parts), () => this.sink.skipped());
    this.parts = [];
    if (text !== null) this.sink.message(text);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class SyslogServerSource implements Source {
  readonly kind = 'syslog' as const;
  readonly id: string;
  private readonly host: string;
  private readonly port: number;
  private readonly o: Required<Omit<SyslogServerOptions, 'listen'>>;
  private ready = deferred<BoundPorts>();
  private bound: BoundPorts = { udp: null, tcp: null };
  private readonly stats: Omit<SourceHealth, 'id' | 'position' | 'lag'> = {
    lastLineAt: null,
    linesRead: 0,
    skipped: 0,
    errors: 0,
    lastError: null,
  };

  constructor(opts: SyslogServerOptions) {
    this.host = opts.listen.host ?? '127.0.0.1';
    this.port = opts.listen.port;
    this.o = {
      protocols: opts.protocols ?? ['udp', 'tcp'],
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_LINE_BYTES,
      maxConnections: opts.maxConnections ?? 100,
      idleTimeoutMs: opts.idleTimeoutMs ?? 10 * 60_000,
      bindRetry: opts.bindRetry ?? { initialMs: 1000, maxMs: 60_000 },
    };
    this.id = `syslog:${isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** The bound ports once every protocol listens (in the current or next lines() run). */
  listening(): Promise<BoundPorts> {
    return this.ready.promise;
  }

  health(): SourceHealth {
    const at = (p: SyslogProtocol) =>
      this.bound[p] === null ? [] : [`${p} ${this.host}:${this.bound[p]}`];
    const position = [...at('udp'), ...at('tcp')].join(', ') || null;
    return { id: this.id, position, lag: null, ...this.stats };
  }

  lines(_cursor: string | null, signal: AbortSignal): AsyncIterable<LineBatch> {
    return this.serve(signal);
  }

  private error(message: string): void {
    this.stats.errors++;
    this.stats.lastError = message;
  }

  private async *serve(signal: AbortSignal): AsyncGenerator<LineBatch> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort(); // 'abort' has fired already: it will not fire again
    let queue: string[] = [];
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    stop.signal.addEventListener('abort', notify);
    const sockets = new Set<Socket>();
    let paused = false;
    const sink: FrameSink = {
      message: (text) => {
        queue.push(text);
        this.stats.lastLineAt = Date.now();
      },
      skipped: () => void this.stats.skipped++,
    };
    const onConnection = (sock: Socket) => {
      sockets.add(sock);
      const framer = new SyslogFramer(sink, this.o.maxMessageBytes);
      sock.setTimeout(this.o.idleTimeoutMs, () => sock.destroy());
      sock.on('data', (b: Buffer) => {
        framer.push(b);
        notify();
        if (queue.length >= MAX_QUEUED && !paused) {
          paused = true;
          for (const s of sockets) s.pause();
        }
      });
      sock.on('end', () => {
        framer.end();
        notify();
        sock.end();
      });
      sock.on('error', () => sock.destroy()); // resets and the like: nothing to report
      sock.on('close', () => sockets.delete(sock));
      if (paused) sock.pause();
    };
    const onDatagram = (msg: Buffer) => {
      if (msg.length > this.o.maxMessageBytes || queue.length >= MAX_QUEUED)
        return void this.stats.skipped++;
      const text = decodeMessage(msg, () => this.stats.skipped++);
      if (text !== null) sink.message(text);
      notify();
    };
    const closers: (() => Promise<void>)[] = [];
    const binding = this.o.protocols.map(async (p) => {
      for (let wait = this.o.bindRetry.initialMs; !stop.signal.aborted;) {
        try {
          return void closers.push(await this.listen(p, onDatagram, onConnection));
        } catch (err) {
          this.error(`cannot listen on ${p} ${this.host}:${this.port}: ${(err as Error).message}`);
        }
        await delay(wait, undefined, { signal: stop.signal }).catch(() => undefined);
        wait = Math.min(wait * 2, this.o.bindRetry.maxMs);
      }
    });
    const ready = this.ready;
    void Promise.all(binding).then(() => ready.resolve({ ...this.bound }));
    try {
      while (!stop.signal.aborted) {
        if (queue.length > 0) {
          const batch: LineBatch = { lines: queue, cursor: null };
          queue = [];
          this.stats.linesRead += batch.lines.length;
          yield batch;
          if (paused) {
            paused = false;
            for (const s of sockets) s.resume();
          }
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort();
      await Promise.all(binding);
      const closing = closers.map((close) => close());
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
      this.bound = { udp: null, tcp: null };
      this.ready = deferred();
    }
  }

  /** Binds one protocol; resolves to a function that closes it. */
  private listen(
    p: SyslogProtocol,
    onDatagram: (msg: Buffer) => void,
    onConnection: (sock: Socket) => void,
  ): Promise<() => Promise<void>> {
    return new Promise((resolve, reject) => {
      if (p === 'udp') {
        const sock = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
        sock.once('error', (err) => {
          sock.close(); // a socket whose bind failed closes fine
          reject(err);
        });
        return sock.bind(this.port, this.host, () => {
          sock.removeAllListeners('error').on('error', (e) => this.error(`udp: ${e.message}`));
          sock.on('message', onDatagram);
          this.bound.udp = sock.address().port;
          resolve(() => new Promise((r) => sock.close(() => r())));
        });
      }
      const server = createServer(onConnection);
      server.maxConnections = this.o.maxConnections;
      server.on('drop', (d) =>
        this.error(
          `refused a TCP connection from ${d?.remoteAddress}: ${this.o.maxConnections} open`,
        ),
      );
      server.once('error', reject);
      server.listen({ port: this.port, host: this.host }, () => {
        server.removeListener('error', reject).on('error', (e) => this.error(`tcp: ${e.message}`));
        const addr = server.address();
        this.bound.tcp = addr !== null && typeof addr === 'object' ? addr.port : null;
        resolve(() => new Promise((r) => server.close(() => r())));
      });
    });
  }
}
