/**
 * A blocklist host for tests, over real HTTP on 127.0.0.1: each path answers
 * the status and body the test set, and every request is counted, so a test
 * sees whether a list was downloaded, and when.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class ListServer {
  /** The paths asked for, in order. */
  readonly requests: string[] = [];
  private readonly answers = new Map<string, { status: number; body: string }>();
  private readonly server = createServer((req, res) => this.handle(req, res));

  private constructor() {}

  static async start(): Promise<ListServer> {
    const list = new ListServer();
    await new Promise<void>((resolve) => list.server.listen(0, '127.0.0.1', resolve));
    return list;
  }

  /** The full URL of `path` ("/firehol_level1.netset"). */
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** What `path` answers from now on; unknown paths answer 404. */
  serve(path: string, body: string, status = 200): void {
    this.answers.set(path, { status, body });
  }

  /** How many times `path` was asked for. */
  count(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(path);
    const answer = this.answers.get(path) ?? { status: 404, body: 'not found\n' };
    res.writeHead(answer.status, { 'content-type': 'text/plain' });
    res.end(answer.body);
  }
}
