/**
 * An HTTP endpoint on 127.0.0.1 that records the webhook requests it gets
 * (path, headers, raw body) and answers with scripted statuses (e.g. a 503,
 * then a 429 with Retry-After), then 200.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it was answered with (0: not answered). */
  status: number;
}

/** A scripted answer; `hang`: none at all (until stop), recorded with status 0. */
type Answer = { status: number; headers?: Record<string, string> } | { hang: true };

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Answer[] = [];
  private server: Server | null = null;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const next = this.script.shift() ?? { status: 200 };
        this.requests.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status: 'hang' in next ? 0 : next.status,
        });
        if ('hang' in next) return;
        res.writeHead(next.status, next.headers).end(next.status < 300 ? 'ok' : 'no');
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** The next requests are answered with these statuses, in order. */
  answer(...responses: Answer[]): void {
    this.script.push(...responses);
  }

  /** Requests to `path` that were answered 2xx. */
  accepted(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path && r.status < 300);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
