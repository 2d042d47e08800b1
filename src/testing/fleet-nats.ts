/**
 * A throwaway nats-server with JetStream for the fleet's tests (Debian's
 * /usr/sbin/nats-server, no auth) on 127.0.0.1: a free port, a temp store
 * dir, stopped and restarted on the same port and store. A minimal stand-in
 * until testing/nats-server.ts (credentials, clusters) replaces it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { waitFor } from './wait.js';

export interface TestNats {
  url: string;
  stop(): Promise<void>;
  /** Starts it again with the same port and store dir. */
  restart(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startNats(storeDir: string): Promise<TestNats> {
  await mkdir(storeDir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess | null = null;
  const run = async () => {
    let out = '';
    const c = spawn(
      '/usr/sbin/nats-server',
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = c;
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let exited = false;
    c.once('exit', () => (exited = true));
    await waitFor('nats-server to listen', () => {
      if (exited) throw new Error(`nats-server exited: ${out}`);
      return out.includes('Server is ready');
    });
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await gone;
  };
  await run();
  return { url: `nats://127.0.0.1:${port}`, stop, restart: run };
}
