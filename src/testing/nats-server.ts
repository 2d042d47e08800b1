/**
 * A real nats-server (Debian's package) for tests: one server, or a cluster of
 * three, with JetStream, on 127.0.0.1 and free ports, each with its store in
 * a fresh temporary directory; or the servers of configuration files a test
 * was given (`sheriff fleet init --cluster`). A test gets the client URLs, can
 * kill a node and start it again on the same store, and `stop()` ends every
 * process and removes every directory, also when starting failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { waitFor } from './wait.js';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /**
   * Server configuration appended to the generated one (listen, monitor,
   * JetStream store, cluster): accounts and users, or an `include`.
   */
  config?: string;
  /**
   * A configuration file to include (e.g. the accounts file `sheriff fleet`
   * writes), so that a reload reads its new version.
   */
  include?: string;
  /** Serve TLS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
}

export interface NatsNode {
  readonly name: string;
  /** `nats://127.0.0.1:<port>` (or `tls://` with TLS). */
  readonly url: string;
  readonly port: number;
  /** Its monitoring port on 127.0.0.1 (/healthz, /varz, /routez). */
  readonly monitorPort: number;
  readonly storeDir: string;
  /** Whether the process is running. */
  running(): boolean;
  /** SIGKILL: a crash, nothing flushed. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** Starts the node again with the same ports and store; resolves when healthy. */
  restart(): Promise<void>;
  /** SIGHUP: the server reads its configuration (and includes) again; resolves when it has. */
  reload(): Promise<void>;
  /** What the server wrote to stdout/stderr, for failure messages. */
  log(): string;
}

export interface NatsCluster {
  readonly nodes: NatsNode[];
  readonly urls: string[];
  /** The directory holding every node's config and store. */
  readonly dir: string;
  /** Stops every node and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A port nobody listens on now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from listen(0)');
  return address.port;
}

/** One server with JetStream. */
export function startNatsServer(options: NatsServerOptions = {}): Promise<NatsCluster> {
  return startNats(1, options);
}

/** A JetStream cluster of `size` nodes (3 for replicas 3), routed to each other. */
export function startNatsCluster(size = 3, options: NatsServerOptions = {}): Promise<NatsCluster> {
  return startNats(size, options);
}

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
// A test process that ends without `stop()` (a crash, a test cancelled because it never
// settled) leaves no server and no directory behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startNats(size: number, options: NatsServerOptions): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-nats-'));
  dirs.add(dir);
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };
  try {
    const ports = await Promise.all(
      Array.from({ length: size }, async () => ({
        client: await freePort(),
        monitor: await freePort(),
        route: await freePort(),
      })),
    );
    for (const [i, p] of ports.entries()) {
      const name = `n${i + 1}`;
      const storeDir = join(dir, name, 'jetstream');
      mkdirSync(storeDir, { recursive: true });
      const lines = [
        `server_name: ${name}`,
        `listen: "127.0.0.1:${p.client}"`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_memory_store: 64MB, max_file_store: 1GB }`,
      ];
      if (size > 1) {
        const routes = ports
          .filter((_, j) => j !== i)
          .map((q) => JSON.stringify(`nats-route://127.0.0.1:${q.route}`));
        lines.push(
          `cluster { name: sheriff, listen: "127.0.0.1:${p.route}", routes: [${routes.join(', ')}] }`,
        );
      }
      if (options.tls !== undefined) {
        lines.push(
          `tls { cert_file: ${JSON.stringify(options.tls.certFile)}, key_file: ${JSON.stringify(options.tls.keyFile)} }`,
        );
      }
      if (options.config !== undefined) lines.push(options.config);
      const configFile = join(dir, name, 'nats-server.conf');
      // nats-server reads an include relative to the including file, never as an absolute path.
      if (options.include !== undefined)
        lines.push(`include ${JSON.stringify(relative(dirname(configFile), options.include))}`);
      writeFileSync(configFile, lines.join('\n') + '\n');
      const scheme = options.tls === undefined ? 'nats' : 'tls';
      nodes.push(
        new Node(
          name,
          `${scheme}://127.0.0.1:${p.client}`,
          p.client,
          p.monitor,
          storeDir,
          configFile,
        ),
      );
    }
    await startAll(nodes);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, urls: nodes.map((n) => n.url), dir, stop };
}

/** A cluster's JetStream is healthy only once a meta leader is elected: start all, then wait. */
async function startAll(nodes: Node[]): Promise<void> {
  for (const node of nodes) node.spawn();
  await Promise.all(nodes.map((n) => n.healthy()));
}

/** A server to run from a configuration file the test did not write itself. */
export interface NatsNodeConfig {
  name: string;
  /** The URL clients reach it by (the config's listen address). */
  url: string;
  configFile: string;
  storeDir: string;
}

/**
 * Runs nats-server on each configuration file as it is (monitoring on a free
 * port given on the command line, for the health check). `stop()` ends the
 * processes; the files are the caller's to remove.
 */
export async function startNatsNodes(configs: NatsNodeConfig[]): Promise<NatsCluster> {
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
  };
  try {
    for (const c of configs) {
      const port = Number(new URL(c.url).port);
      nodes.push(new Node(c.name, c.url, port, await freePort(), c.storeDir, c.configFile));
    }
    await startAll(nodes);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, urls: nodes.map((n) => n.url), dir: dirname(configs[0]!.configFile), stop };
}

class Node implements NatsNode {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #log = '';
  #reloads = 0;
  #reloadFailed = false;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly port: number,
    readonly monitorPort: number,
    readonly storeDir: string,
    readonly configFile: string,
  ) {}

  spawn(): void {
    const child = spawn(NATS_SERVER, ['-c', this.configFile, '-m', String(this.monitorPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    children.add(child);
    const keep = (chunk: Buffer) => {
      // The last 64 KiB are enough to say why a server failed.
      const text = chunk.toString('utf8');
      this.#log = (this.#log + text).slice(-65_536);
      if (text.includes('Reloaded server configuration')) this.#reloads++;
      if (/Failed to reload/i.test(text)) this.#reloadFailed = true;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      // 'close', not 'exit': it also comes when the program could not be started at all.
      child.once('close', () => {
        children.delete(child);
        if (this.#child === child) this.#child = null;
        resolve();
      });
      child.once('error', (err) => {
        this.#log += `\ncannot run ${NATS_SERVER}: ${err.message}`;
      });
    });
  }

  running(): boolean {
    return this.#child !== null;
  }

  /** Waits until /healthz says ok (JetStream included), or fails with the server's log. */
  async healthy(): Promise<void> {
    await waitFor(`nats-server ${this.name} on port ${this.port} to be healthy`, async () => {
      if (this.#child === null) {
        throw new Error(`nats-server ${this.name} exited while starting:\n${this.#log}`);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${this.monitorPort}/healthz`);
        return res.ok;
      } catch {
        return false;
      }
    });
  }

  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  async restart(): Promise<void> {
    if (this.#child !== null) throw new Error(`nats-server ${this.name} is still running`);
    this.spawn();
    await this.healthy();
  }

  async reload(): Promise<void> {
    if (this.#child === null) throw new Error(`nats-server ${this.name} is not running`);
    const before = this.#reloads;
    this.#child.kill('SIGHUP');
    await waitFor(`nats-server ${this.name} to reload its configuration`, () => {
      if (this.#reloadFailed)
        throw new Error(`nats-server ${this.name} did not reload:\n${this.#log}`);
      return this.#reloads > before;
    });
  }

  log(): string {
    return this.#log;
  }
}
