/**
 * Where spans go (`agent.telemetry`): nowhere (the API's no-op tracer), to
 * stderr, or to an OpenTelemetry collector over OTLP/HTTP. The SDK and the
 * exporter are imported only when configured, so a Sheriff that does not
 * trace neither loads nor keeps them. Spans leave through a bounded batch
 * queue in the background: a collector that is down costs dropped spans and
 * one log line, never a delay on a finding's path.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { trace, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpConfig, TelemetryKind } from '../agent/config.js';
import { SetupError } from '../config/errors.js';
import { readPrivateFile } from '../config/private-file.js';
import type { Logger } from '../log.js';

export interface Telemetry {
  /** The tracer of one part of Sheriff (`sheriff.agent`, `sheriff.respond`). */
  tracer(scope: string): Tracer;
  /** Exports what is queued (each export bounded by its timeout), then stops. */
  shutdown(): Promise<void>;
}

/** No tracing: the global tracer, a no-op unless an embedding program registered an SDK. */
export const NO_TELEMETRY: Telemetry = {
  tracer: (scope) => trace.getTracer(scope),
  shutdown: () => Promise.resolve(),
};

export interface TelemetrySettings {
  telemetry: TelemetryKind;
  otlp: OtlpConfig;
}

/** Spans wait at most this many in the queue; more are dropped, never buffered without end. */
const MAX_QUEUED_SPANS = 2048;
const MAX_SPANS_PER_EXPORT = 512;
const EXPORT_EVERY_MS = 5000;
/** A stop waits this long at most for the last spans to leave (a hung collector must not hold it). */
const SHUTDOWN_MS = 3000;
/** ExportResultCode.SUCCESS and FAILED of @opentelemetry/core. */
const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

/**
 * Starts what `config` asks for. Throws a SetupError for an OTLP headers file
 * that cannot be used (naming the file and line, never a value).
 */
export async function startTelemetry(
  config: TelemetrySettings,
  logger: Logger,
): Promise<Telemetry> {
  if (config.telemetry === 'none') return NO_TELEMETRY;
  const headers =
    config.telemetry === 'otlp' ? readHeadersFile(config.otlp.headersFile) : undefined;
  const sdk = await import('@opentelemetry/sdk-trace-base');
  if (config.telemetry === 'console') {
    const provider = new sdk.BasicTracerProvider({
      spanProcessors: [new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter())],
    });
    return { tracer: (scope) => provider.getTracer(scope), shutdown: () => provider.shutdown() };
  }
  const [{ OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const { otlp } = config;
  // Headers the file does not name may come from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS,
  // which the exporter reads itself; the endpoint is always the configured one.
  const exporter = new OTLPTraceExporter({
    url: otlp.endpoint,
    timeoutMillis: otlp.timeout,
    ...(headers === undefined ? {} : { headers }),
  });
  const reporting = reportingOnce(exporter, logger, shownEndpoint(otlp.endpoint));
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': otlp.serviceName }),
    // A finding's later steps name their parent: the root's draw keeps or drops the trace whole.
    sampler: new sdk.ParentBasedSampler({
      root: new sdk.TraceIdRatioBasedSampler(otlp.sampleRatio),
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(reporting, {
        maxQueueSize: MAX_QUEUED_SPANS,
        maxExportBatchSize: MAX_SPANS_PER_EXPORT,
        scheduledDelayMillis: EXPORT_EVERY_MS,
        exportTimeoutMillis: otlp.timeout,
      }),
    ],
  });
  logger.info(
    { event: 'telemetry_started', endpoint: shownEndpoint(otlp.endpoint) },
    'spans are exported to an OpenTelemetry collector',
  );
  return {
    tracer: (scope) => provider.getTracer(scope),
    shutdown: () => {
      reporting.stopping();
      return Promise.race([
        provider.shutdown().catch(() => {}),
        sleep(Math.min(SHUTDOWN_MS, otlp.timeout), undefined, { ref: false }),
      ]);
    },
  };
}

/**
 * `exporter`, logging the first failed export (and the first success after
 * failures): a collector that stays down is one line in the log, not one per
 * batch. Once stopping, a collector known to be down is not tried again: the
 * exporter's retries would keep the process alive for their whole timeout.
 */
function reportingOnce(
  exporter: SpanExporter,
  logger: Logger,
  endpoint: string,
): SpanExporter & { stopping(): void } {
  let failing = false;
  let stopping = false;
  return {
    stopping: () => {
      stopping = true;
    },
    export(spans, done) {
      if (stopping && failing) return done({ code: EXPORT_FAILED });
      exporter.export(spans, (result) => {
        const ok = Number(result.code) === EXPORT_SUCCESS;
        if (!ok && !failing) {
          failing = true;
          logger.warn(
            { event: 'telemetry_export_failed', endpoint, err: result.error?.message },
            'the OpenTelemetry collector cannot be reached: spans are dropped until it can',
          );
        } else if (ok && failing) {
          failing = false;
          logger.info(
            { event: 'telemetry_export_recovered', endpoint },
            'the OpenTelemetry collector takes spans again',
          );
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The endpoint without what may be a credential (user info, a query). */
function shownEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}`;
}

/** An HTTP header name (RFC 9110 token) and value (visible characters, spaces and tabs). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

/**
 * The headers of a private file (mode 0600): one `Name: value` a line, blank
 * lines and `#` comments skipped. Errors name the file and the line, never a value.
 */
export function readHeadersFile(file: string | undefined): Record<string, string> | undefined {
  if (file === undefined) return undefined;
  const what = 'OTLP headers file';
  const text = readPrivateFile(file, undefined, what);
  if (text === null) throw new SetupError(`the ${what} ${file} does not exist`);
  const headers: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value))
      throw new SetupError(`${file}:${i + 1}: expected a header as "Name: value"`);
    headers[name] = value;
  });
  return headers;
}
