/**
 * An OpenTelemetry collector's OTLP/HTTP traces endpoint on 127.0.0.1, as the
 * specification has it: `POST /v1/traces` with an ExportTraceServiceRequest
 * in OTLP/JSON (hex trace and span ids, 64-bit numbers as strings or numbers,
 * attributes as typed AnyValues), optionally gzip-compressed; answered with an
 * ExportTraceServiceResponse. Protobuf bodies are answered 415, as a collector
 * that takes only JSON would (Sheriff's exporter sends JSON). It records each
 * request's headers and the spans it carried, and can play a collector that is
 * down (503, which the exporter retries) or hangs (never answers until stop).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

/** One span as received, its attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface ReceivedExport {
  headers: IncomingHttpHeaders;
  spans: ReceivedSpan[];
}

type Mode = 'up' | 'down' | 'hang';

const TRACES_PATH = '/v1/traces';
const HEX_ID = { trace: /^[0-9a-f]{32}$/, span: /^[0-9a-f]{16}$/ };

export class OtlpReceiver {
  readonly exports: ReceivedExport[] = [];
  /** Requests answered with an error or not at all (the collector down or hanging). */
  refused = 0;
  private mode: Mode = 'up';
  private server: Server | null = null;
  private readonly held = new Set<() => void>();

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.mode === 'hang') {
          this.refused++;
          this.held.add(() => res.destroy());
          return;
        }
        if (this.mode === 'down') {
          this.refused++;
          res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        if (req.method !== 'POST' || req.url !== TRACES_PATH) {
          res.writeHead(404).end();
          return;
        }
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          res.writeHead(415).end();
          return;
        }
        let spans: ReceivedSpan[];
        try {
          const raw = Buffer.concat(chunks);
          const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          spans = decodeRequest(JSON.parse(body.toString('utf8')));
        } catch (err) {
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ code: 3, message: (err as Error).message }));
          return;
        }
        this.exports.push({ headers: req.headers, spans });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  /** The traces URL to configure as `agent.otlp.endpoint`. */
  get endpoint(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${TRACES_PATH}`;
  }

  /** Every span received so far, in arrival order. */
  get spans(): ReceivedSpan[] {
    return this.exports.flatMap((e) => e.spans);
  }

  /** Requests taken and not answered (the collector hanging). */
  get hanging(): number {
    return this.held.size;
  }

  /** up: accept; down: answer 503; hang: take requests and never answer (until up or stop). */
  set(mode: Mode): void {
    this.mode = mode;
    if (mode !== 'hang') this.release();
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private release(): void {
    for (const drop of this.held) drop();
    this.held.clear();
  }
}

/** The spans of an ExportTraceServiceRequest in OTLP/JSON; throws on what the spec does not allow. */
export function decodeRequest(body: unknown): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of list(field(body, 'resourceSpans'))) {
    const resource = attributesOf(field(field(rs, 'resource'), 'attributes'));
    for (const ss of list(field(rs, 'scopeSpans'))) {
      const scope = text(field(field(ss, 'scope'), 'name'));
      for (const s of list(field(ss, 'spans'))) {
        const traceId = text(field(s, 'traceId'));
        const spanId = text(field(s, 'spanId'));
        const parentSpanId = text(field(s, 'parentSpanId'));
        if (!HEX_ID.trace.test(traceId)) throw new Error(`bad traceId ${traceId}`);
        if (!HEX_ID.span.test(spanId)) throw new Error(`bad spanId ${spanId}`);
        if (parentSpanId !== '' && !HEX_ID.span.test(parentSpanId))
          throw new Error(`bad parentSpanId ${parentSpanId}`);
        const status = field(s, 'status');
        spans.push({
          traceId,
          spanId,
          parentSpanId,
          name: text(field(s, 'name')),
          kind: Number(field(s, 'kind') ?? 0),
          startMs: nanosToMs(field(s, 'startTimeUnixNano')),
          endMs: nanosToMs(field(s, 'endTimeUnixNano')),
          attributes: attributesOf(field(s, 'attributes')),
          status: {
            code: Number(field(status, 'code') ?? 0),
            message: text(field(status, 'message')),
          },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** A string field; absent (the JSON mapping leaves out defaults) is empty. */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Error('expected a string');
  return v;
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error('expected a list');
  return v;
}

/** A fixed64 as the JSON mapping writes it (a decimal string, or a number). */
function nanosToMs(v: unknown): number {
  if (typeof v !== 'string' && typeof v !== 'number') throw new Error('a time is missing');
  return Number(BigInt(v) / 1_000_000n);
}

function attributesOf(v: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list(v)) out[text(field(kv, 'key'))] = anyValue(field(kv, 'value'));
  return out;
}

function anyValue(v: unknown): AttributeValue {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return String(o.stringValue);
  if ('boolValue' in o) return Boolean(o.boolValue);
  if ('intValue' in o) return Number(o.intValue);
  if ('doubleValue' in o) return Number(o.doubleValue);
  if ('arrayValue' in o) return list(field(o.arrayValue, 'values')).map(anyValue);
  throw new Error(`an attribute value of no known type: ${Object.keys(o).join(',')}`);
}
