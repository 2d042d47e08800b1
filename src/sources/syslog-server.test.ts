/**
 * SyslogServerSource over real sockets on 127.0.0.1 with ephemeral ports, and
 * its TCP framer fed every way a stream can be cut.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { HANG_GUARD_MS, waitFor as waitUntil } from '../testing/wait.js';
import type { LineBatch } from './source.js';
import {
  SyslogFramer,
  SyslogServerSource,
  type BoundPorts,
  type SyslogServerOptions,
} from './syslog-server.js';

const BSD =
  '<38>Nov 25 07:51:41 web1 sshd[2001]: Failed password for root from 203.0.113.5 port 50122 ssh2';
const RFC5424 =
  '<86>1 2026-11-25T07:51:41.123456+09:00 web1 sshd 2002 - [meta sequenceId="7"] Invalid user admin from 203.0.113.6 port 50123';
const octet = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;
const parser = new LineParser({ zone: new TimeZone('UTC'), reference: () => Date.now() });

/** The shared condition wait, with the condition first as these tests read. */
const waitFor = (cond: () => boolean, what: string) => waitUntil(what, cond);

interface Server {
  src: SyslogServerSource;
  ports: BoundPorts;
  batches: LineBatch[];
  lines(): string[];
  /** Waits until `n` lines arrived in all. */
  until(n: number): Promise<string[]>;
  stop(): Promise<void>;
}

async function serve(opts: Partial<SyslogServerOptions> = {}): Promise<Server> {
  const src = new SyslogServerSource({ listen: { port: 0 }, ...opts });
  const ac = new AbortController();
  const batches: LineBatch[] = [];
  const done = (async () => {
    for await (const b of src.lines(null, ac.signal)) batches.push(b);
  })();
  const stop = async () => {
    ac.abort();
    await done;
  };
  const deadline = setTimeout(() => ac.abort(), HANG_GUARD_MS);
  const ports = await Promise.race([src.listening(), done.then(() => null)]);
  clearTimeout(deadline);
  if (ports === null) throw new Error('the server did not listen');
  const lines = () => batches.flatMap((b) => b.lines);
  const until = async (n: number) => {
    await waitFor(() => lines().length >= n, `${n} lines (have ${JSON.stringify(lines())})`);
    return lines();
  };
  return { src, ports, batches, lines, until, stop };
}

function sendUdp(port: number | null, msg: string | Buffer): Promise<void> {
  const s = createSocket('udp4');
  return new Promise((resolve, reject) =>
    s.send(msg, port!, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

async function tcp(port: number | null): Promise<Socket> {
  const s = connect(port!, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

const write = (s: Socket, data: string | Buffer) =>
  new Promise<void>((resolve, reject) => s.write(data, (e) => (e ? reject(e) : resolve())));
const closed = (s: Socket) =>
  s.closed ? Promise.resolve() : new Promise<void>((resolve) => s.once('close', () => resolve()));

describe('SyslogServerSource over UDP', () => {
  it('takes an RFC 3164 datagram as one line, trailing newline stripped', async () => {
    const srv = await serve();
    try {
      assert.equal(srv.src.id, 'syslog:127.0.0.1:0');
      assert.equal(
        srv.src.health().position,
        `udp 127.0.0.1:${srv.ports.udp}, tcp 127.0.0.1:${srv.ports.tcp}`,
      );
      await sendUdp(srv.ports.udp, BSD + '\n');
      assert.deepEqual(await srv.until(1), [BSD]);
      assert.deepEqual(srv.batches[0]!.cursor, null);
      const r = parser.parse(BSD)!;
      assert.deepEqual([r.format, r.host, r.program, r.pid], ['bsd', 'web1', 'sshd', 2001]);
    } finally {
      await srv.stop();
    }
  });

  it('takes an RFC 5424 datagram, newlines inside it escaped as #012', async () => {
    const srv = await serve({ protocols: ['udp'] });
    try {
      assert.equal(srv.ports.tcp, null);
      await sendUdp(srv.ports.udp, `${RFC5424}\nsecond line\r\n`);
      const [line] = await srv.until(1);
      assert.equal(line, `${RFC5424}#012second line`);
      const r = parser.parse(line)!;
      assert.deepEqual([r.format, r.program, r.pid], ['rfc5424', 'sshd', 2002]);
      assert.equal(srv.src.health().linesRead, 1);
    } finally {
      await srv.stop();
    }
  });
});

describe('SyslogServerSource over TCP', () => {
  it('splits newline-delimited messages (LF, CRLF, and a last one ended by the close)', async () => {
    const srv = await serve({ protocols: ['tcp'] });
    try {
      const c = await tcp(srv.ports.tcp);
      await write(c, `${BSD}\n${RFC5424}\r\n\n<13>last`);
      c.end();
      assert.deepEqual(await srv.until(3), [BSD, RFC5424, '<13>last']);
    } finally {
      await srv.stop();
    }
  });

  it('reads an octet-counted frame whose message contains newlines as one line', async () => {
    const srv = await serve();
    try {
      const c = await tcp(srv.ports.tcp);
      await write(c, octet(`${RFC5424}\nat line two\n`) + octet(BSD));
      assert.deepEqual(await srv.until(2), [`${RFC5424}#012at line two`, BSD]);
      c.destroy();
    } finally {
      await srv.stop();
    }
  });

  it('reads mixed frames in one packet, and frames split across packets', async () => {
    const srv = await serve();
    try {
      const c = await tcp(srv.ports.tcp);
      await write(c, `${octet('<13>one')}<13>two\n${octet('<13>three')}`);
      await srv.until(3);
      assert.deepEqual(srv.batches[0]!.lines, ['<13>one', '<13>two', '<13>three']);
      const split = octet(`<13>split ${'x'.repeat(100)}`); // "110 <13>split xxx…"
      await write(c, `<13>four\n${split.slice(0, 2)}`); // the length's digits are cut
      await srv.until(4);
      await write(c, `${split.slice(2, 50)}`); // and the message
      await write(c, `${split.slice(50)}${octet('<13>five')}<13>six, cut`);
      await srv.until(6);
      await write(c, ' here\n');
      const all = await srv.until(7);
      assert.deepEqual(all.slice(3), ['<13>four', split.slice(4), '<13>five', '<13>six, cut here']);
      c.destroy();
    } finally {
      await srv.stop();
    }
  });

  it('counts and skips over-long messages, in every framing and over UDP', async () => {
    const srv = await serve({ maxMessageBytes: 100 });
    try {
      const c = await tcp(srv.ports.tcp);
      await write(c, `${octet('<13>' + 'a'.repeat(500))}<13>${'b'.repeat(500)}\n<13>ok1\n`);
      await sendUdp(srv.ports.udp, '<13>' + 'c'.repeat(500));
      await sendUdp(srv.ports.udp, '<13>ok2');
      assert.deepEqual((await srv.until(2)).sort(), ['<13>ok1', '<13>ok2']);
      await waitFor(() => srv.src.health().skipped === 3, 'three skipped messages');
      c.destroy();
    } finally {
      await srv.stop();
    }
  });

  it('survives garbage without buffering it: 4 MiB with no newline, a huge length, bad bytes', async () => {
    const srv = await serve({ maxMessageBytes: 1024 });
    try {
      const a = await tcp(srv.ports.tcp);
      await write(a, Buffer.alloc(4 << 20, 'z'));
      await write(a, Buffer.from([0x0a, 0xff, 0xfe, 0x0a, 0x3c, 0x00, 0x3e, 0x0a]));
      await write(a, '12345678901234 not a length\n<13>ok\n');
      const b = await tcp(srv.ports.tcp);
      await write(b, '999999999 whatever follows is swallowed\n<13>lost\n');
      b.end();
      await closed(b);
      await sendUdp(srv.ports.udp, Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xc3, 0x28]));
      await sendUdp(srv.ports.udp, '<13>a\0b');
      await sendUdp(srv.ports.udp, '<13>still here');
      // TCP and UDP race each other: wait for the good lines of both, then nothing else came.
      const good = ['12345678901234 not a length', '<13>ok', '<13>still here'];
      await waitFor(() => good.every((l) => srv.lines().includes(l)), 'the good lines');
      assert.deepEqual(srv.lines().sort(), good);
      // too long, invalid UTF-8, NUL (TCP); a frame cut by the close; invalid UTF-8, NUL (UDP).
      await waitFor(() => srv.src.health().skipped === 6, `6 skipped, ${srv.src.health().skipped}`);
      a.destroy();
    } finally {
      await srv.stop();
    }
  });

  it('caps concurrent connections', async () => {
    const srv = await serve({ protocols: ['tcp'], maxConnections: 2 });
    try {
      const [a, b] = [await tcp(srv.ports.tcp), await tcp(srv.ports.tcp)];
      await write(a, '<13>a\n');
      await write(b, '<13>b\n');
      await srv.until(2); // both accepted
      const c = await tcp(srv.ports.tcp);
      await closed(c); // refused by the server
      assert.match(srv.src.health().lastError!, /refused a TCP connection .*2 open/);
      await write(a, '<13>a again\n');
      assert.deepEqual((await srv.until(3)).sort(), ['<13>a', '<13>a again', '<13>b']);
      a.destroy();
      b.destroy();
    } finally {
      await srv.stop();
    }
  });

  it('abort closes the listening sockets and open connections', async () => {
    const srv = await serve();
    const c = await tcp(srv.ports.tcp);
    await srv.stop();
    await closed(c);
    const refused = connect(srv.ports.tcp!, '127.0.0.1');
    await assert.rejects(
      new Promise((resolve, reject) => refused.once('connect', resolve).once('error', reject)),
      { code: 'ECONNREFUSED' },
    );
    refused.destroy();
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(srv.ports.udp!, '127.0.0.1', resolve); // the port is free again
    });
    udp.close();
    assert.equal(srv.src.health().position, null);
  });
});

describe('SyslogFramer', () => {
  it('gives the same messages however the stream is cut', () => {
    const stream = Buffer.from(
      `${octet('<13>one\nline')}<13>two\r\n${octet('<13>three')}12345678901 x\n0 \n<13>four`,
    );
    const want = ['<13>one#012line', '<13>two', '<13>three', '12345678901 x', '<13>four'];
    const frame = (cuts: number[]) => {
      const got: string[] = [];
      const f = new SyslogFramer({ message: (m) => got.push(m), skipped: () => got.push('SKIP') });
      let at = 0;
      for (const cut of [...cuts, stream.length]) {
        f.push(stream.subarray(at, cut));
        at = cut;
      }
      f.end();
      return got;
    };
    assert.deepEqual(frame([]), want);
    assert.deepEqual(frame([...Array(stream.length).keys()]), want, 'byte by byte');
    for (let i = 1; i < stream.length; i++)
      for (let j = i; j < stream.length; j += 7)
        assert.deepEqual(frame([i, j]), want, `cut ${i} ${j}`);
  });
});
