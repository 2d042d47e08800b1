/**
 * `agent.telemetry: otlp`, end to end: a real daemon (real log file, real
 * SQLite store, dry-run firewall) and its analyst (talking to a fake
 * OpenAI-compatible server) export through the official OTLP/HTTP exporter to
 * a collector on 127.0.0.1 that decodes the wire format (testing/otlp-receiver.ts).
 * Asserted: the analyst's spans, one trace per finding from the finding to the
 * ban (or the denial), the headers of a private file, a collector that is down
 * or hangs costing nothing on a finding's path and one log line, and no SDK
 * loaded when telemetry is off.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from './load-config.js';
import { parseConfig } from './parse-config.js';
import { Daemon } from './daemon.js';
import { NO_TELEMETRY, readHeadersFile, startTelemetry, type Telemetry } from './telemetry.js';
import { SetupError } from '../config/errors.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import type { Alert, Notifier } from '../notify/notifier.js';
import { configuredApprovals } from '../respond/approvals.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import type { StoredApproval } from '../store/index.js';
import { openStore } from '../store/index.js';
import { FakeOpenAI, reply, script } from '../testing/fake-openai.js';
import { ManualClock } from '../testing/manual-clock.js';
import { OtlpReceiver, type ReceivedSpan } from '../testing/otlp-receiver.js';
import { REPO_ROOT } from '../testing/paths.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';

class Collect implements Notifier {
  readonly id = 'collect';
  readonly alerts: Alert[] = [];
  send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return Promise.resolve();
  }
  approvalFor(ip: string): StoredApproval | undefined {
    for (const a of this.alerts)
      if (a.type === 'approval' && a.approval.target?.cidr === `${ip}/32`) return a.approval;
    return undefined;
  }
  banned(ip: string): boolean {
    return this.alerts.some((a) => a.type === 'banned' && a.ban.target.cidr === `${ip}/32`);
  }
}

/** A logger whose JSON lines the test reads. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json' }, stream);
  const events = (name: string) =>
    lines.map((l) => JSON.parse(l) as { event?: string }).filter((l) => l.event === name);
  return { logger, lines, events };
}

const failure = (n: number, ip: string) =>
  `${new Date().toISOString()} web1 sshd[${2000 + n}]: Failed password for invalid user u${n} from ${ip} port ${41000 + n} ssh2\n`;

let dir: string;
let receiver: OtlpReceiver;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-otlp-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A daemon with `jails.sshd.policy: approve` and the analyst on `llm`, exporting to `receiver`. */
async function startDaemon(name: string, llm: FakeOpenAI | null, otlp = '') {
  const log = join(dir, `${name}.log`);
  const db = join(dir, `${name}.db`);
  await writeFile(log, '');
  const agent =
    llm === null ? '' : `provider: custom, baseUrl: "${llm.baseUrl}", model: fake-model, `;
  const config = parseConfig(
    `store: { path: ${db} }\n` +
      `sources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 50ms }]\n` +
      'jails: { sshd: { maxretry: 3, policy: approve } }\n' +
      `agent: { ${agent}telemetry: otlp, otlp: { endpoint: "${receiver.endpoint}", serviceName: sheriff-test${otlp} } }\n`,
    'sheriff.yaml',
  );
  const captured = capturedLogger();
  const telemetry = await startTelemetry(config.agent, captured.logger);
  const seen = new Collect();
  const clock = new ManualClock();
  const daemon = Daemon.start({
    config,
    logger: captured.logger,
    t: translator('en'),
    notifiers: [seen],
    sources: config.sources,
    firewall: new DryRunFirewall({ log: () => {} }),
    clock,
    telemetry,
  });
  // Decisions come from another process, as `sheriff approve` makes them: its own store connection.
  const cli = openStore(db);
  const approvals = configuredApprovals(cli.records, config);
  const decide = async (ip: string, decision: 'approve' | 'deny') => {
    const request = await waitFor(`a request to ban ${ip}`, () => seen.approvalFor(ip));
    const r = await approvals.decide(
      request.id,
      decision,
      { channel: 'cli', identity: 'root' },
      clock.now(),
    );
    assert.ok(r.ok, 'the decision is taken');
    await clock.advance(1000); // the responder's tick
    return request;
  };
  const attack = async (ip: string) => {
    for (let i = 0; i < 3; i++) await appendFile(log, failure(i, ip));
  };
  return {
    daemon,
    telemetry,
    seen,
    clock,
    decide,
    attack,
    captured,
    stop: async () => {
      await daemon.stop();
      if (cli.db.open) cli.close();
    },
  };
}

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (
  spans: ReceivedSpan[],
  name: string,
  where: (s: ReceivedSpan) => boolean = () => true,
) => {
  const found = byName(spans, name).filter(where);
  assert.equal(found.length, 1, `one ${name} span, got ${found.length}`);
  return found[0]!;
};
const childOf = (child: ReceivedSpan, parent: ReceivedSpan) => {
  assert.equal(child.traceId, parent.traceId, `${child.name} is in ${parent.name}'s trace`);
  assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of ${parent.name}`);
};

describe('agent.telemetry: otlp', () => {
  before(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  after(async () => {
    await receiver.stop();
  });

  it("exports the analyst's spans and one trace per finding: finding → request → decision → ban", async () => {
    const llm = await FakeOpenAI.start(
      script([
        reply.tools([{ name: 'host_status', arguments: '{}' }]),
        reply.text('The host is fine.'),
      ]),
    );
    const d = await startDaemon('trace', llm);
    try {
      await d.attack('203.0.113.50');
      await d.decide('203.0.113.50', 'approve');
      await waitFor('the ban', () => d.seen.banned('203.0.113.50'));
      await d.attack('203.0.113.60');
      const denied = await d.decide('203.0.113.60', 'deny');
      const answer = await d.daemon.followUp.analyst.ask({
        conversation: 'cli:root',
        text: 'how is the host?',
        lang: 'en',
        channel: 'cli',
        identity: 'root',
      });
      assert.equal(answer.text.includes('The host is fine.'), true);
      await d.stop(); // flushes the queue
      const spans = receiver.spans;
      for (const s of spans) assert.equal(s.resource['service.name'], 'sheriff-test');

      // The approved finding: four spans, one trace, each step under the one before.
      const approved = (s: ReceivedSpan) => s.attributes['sheriff.address'] === '203.0.113.50';
      const finding = one(spans, 'sheriff.finding', approved);
      assert.equal(finding.parentSpanId, '');
      assert.equal(finding.scope, 'sheriff.respond');
      assert.deepEqual(
        [
          finding.attributes['sheriff.jail'],
          finding.attributes['sheriff.finding.kind'],
          finding.attributes['sheriff.finding.count'],
          finding.attributes['sheriff.policy'],
          finding.attributes['sheriff.response'],
          typeof finding.attributes['sheriff.finding.id'],
        ],
        ['sshd', 'bruteforce', 3, 'approve', 'approval-requested', 'number'],
      );
      const target = (ip: string) => (s: ReceivedSpan) =>
        s.attributes['sheriff.target'] === `${ip}/32`;
      const request = one(spans, 'sheriff.approval.request', target('203.0.113.50'));
      childOf(request, finding);
      assert.equal(request.attributes['sheriff.approval.requester'], 'jail:sshd');
      const approvalId = request.attributes['sheriff.approval.id'];
      const decision = one(spans, 'sheriff.approval.decision', target('203.0.113.50'));
      childOf(decision, request);
      assert.deepEqual(
        [
          decision.attributes['sheriff.approval.id'],
          decision.attributes['sheriff.approval.outcome'],
          decision.attributes['sheriff.approval.channel'],
        ],
        [approvalId, 'approved', 'cli'],
      );
      const ban = one(spans, 'sheriff.ban', target('203.0.113.50'));
      childOf(ban, decision);
      assert.deepEqual(
        [
          ban.attributes['sheriff.ban.outcome'],
          ban.attributes['sheriff.firewall'],
          ban.attributes['sheriff.ban.enforced'],
        ],
        ['applied', 'dry-run', false],
      );
      assert.ok(decision.startMs <= decision.endMs && decision.endMs <= ban.startMs);

      // The denied one: its own trace, ending at the denial, with no ban.
      const deniedFinding = one(
        spans,
        'sheriff.finding',
        (s) => s.attributes['sheriff.address'] === '203.0.113.60',
      );
      assert.notEqual(deniedFinding.traceId, finding.traceId);
      const deniedRequest = one(spans, 'sheriff.approval.request', target('203.0.113.60'));
      childOf(deniedRequest, deniedFinding);
      const deniedDecision = one(spans, 'sheriff.approval.decision', target('203.0.113.60'));
      childOf(deniedDecision, deniedRequest);
      assert.equal(deniedDecision.attributes['sheriff.approval.id'], denied.id);
      assert.equal(deniedDecision.attributes['sheriff.approval.outcome'], 'denied');
      assert.equal(byName(spans, 'sheriff.ban').length, 1, 'no ban for the denied request');

      // The analyst's run: the model calls and the tool call under it.
      const run = one(spans, 'agent.run');
      assert.equal(run.scope, 'sheriff.agent');
      assert.equal(run.parentSpanId, '');
      const calls = byName(spans, 'agent.llm');
      assert.equal(calls.length, 2);
      for (const c of calls) {
        childOf(c, run);
        assert.equal(c.attributes['gen_ai.request.model'], 'fake-model');
      }
      const tool = one(spans, 'agent.tool');
      childOf(tool, run);
      assert.equal(tool.attributes['gen_ai.tool.name'], 'host_status');

      // No log text, no question, no answer in any attribute.
      const text = JSON.stringify(spans);
      for (const secret of [
        'Failed password',
        'invalid user',
        'how is the host',
        'The host is fine',
      ])
        assert.equal(text.includes(secret), false, `"${secret}" is not exported`);
    } finally {
      await d.stop().catch(() => {});
      await llm.close();
    }
  });

  it("a collector that hangs delays no finding's path, and the stop does not wait for it", async () => {
    receiver.set('hang');
    const before = receiver.exports.length;
    // A minute per export: longer than the whole path below.
    const d = await startDaemon('hang', null, ', timeout: 60s');
    try {
      // A full batch goes at once: an export is then in flight, and hangs.
      const filler = d.telemetry.tracer('test');
      for (let i = 0; i < 512; i++) filler.startSpan('filler').end();
      await waitFor('an export hanging', () => receiver.hanging > 0);
      await d.attack('198.18.0.7');
      await d.decide('198.18.0.7', 'approve');
      await waitFor('the ban', () => d.seen.banned('198.18.0.7'));
      assert.ok(receiver.hanging > 0, 'the ban was applied while the export still hung');
      await d.stop(); // bounded: does not wait the minute out
      assert.equal(receiver.exports.length, before, 'nothing was taken while hanging');
    } finally {
      await d.stop().catch(() => {});
      receiver.set('up');
    }
  });

  it('a collector that is down is logged once, and again once when it is back', async () => {
    receiver.set('down');
    const { logger, events, lines } = capturedLogger();
    const telemetry = await startTelemetry(
      {
        telemetry: 'otlp',
        otlp: { endpoint: receiver.endpoint, serviceName: 's', sampleRatio: 1, timeout: 1000 },
      },
      logger,
    );
    const batch = (name: string) => {
      const tracer = telemetry.tracer('test');
      for (let i = 0; i < 512; i++) tracer.startSpan(name).end();
    };
    try {
      batch('lost-1');
      await waitFor('a failed export', () => events('telemetry_export_failed').length > 0);
      const refusedBefore = receiver.refused;
      batch('lost-2');
      await waitFor('a second refused request', () => receiver.refused > refusedBefore);
      receiver.set('up');
      batch('kept');
      await waitFor('spans taken again', () => receiver.spans.some((s) => s.name === 'kept'));
      await waitFor('the recovery logged', () => events('telemetry_export_recovered').length > 0);
      assert.equal(events('telemetry_export_failed').length, 1, lines.join('\n'));
      assert.equal(events('telemetry_export_recovered').length, 1);
    } finally {
      receiver.set('up');
      await telemetry.shutdown();
    }
  });

  it('sends the headers of a 0600 file and OTEL_EXPORTER_OTLP_HEADERS, and logs neither', async () => {
    const file = join(dir, 'otlp-headers');
    await writeFile(
      file,
      '# the collector key\nAuthorization: Bearer s3cret-token\n\nX-Scope-OrgID: tenant-7\n',
    );
    await chmod(file, 0o600);
    const { logger, lines } = capturedLogger();
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-from-env=env-value';
    let telemetry: Telemetry = NO_TELEMETRY;
    try {
      telemetry = await startTelemetry(
        {
          telemetry: 'otlp',
          otlp: {
            endpoint: receiver.endpoint,
            headersFile: file,
            serviceName: 's',
            sampleRatio: 1,
            timeout: 5000,
          },
        },
        logger,
      );
      telemetry.tracer('test').startSpan('with-headers').end();
      await telemetry.shutdown();
      // The receiver is shared: other tests' late retries may arrive too.
      const sent = receiver.exports.find((e) => e.spans.some((sp) => sp.name === 'with-headers'));
      assert.ok(sent, 'the span was exported at shutdown');
      assert.equal(sent.headers.authorization, 'Bearer s3cret-token');
      assert.equal(sent.headers['x-scope-orgid'], 'tenant-7');
      assert.equal(sent.headers['x-from-env'], 'env-value');
      assert.match(String(sent.headers['content-type']), /^application\/json/);
      assert.equal(lines.join('\n').includes('s3cret'), false);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      await telemetry.shutdown();
    }
  });

  it('refuses a headers file others can read, or a line that is no header, naming the file and line only', async () => {
    const file = join(dir, 'bad-headers');
    await writeFile(file, 'Authorization: Bearer s3cret\n');
    await chmod(file, 0o644);
    assert.throws(
      () => readHeadersFile(file),
      (err: Error) => {
        assert.ok(err instanceof SetupError);
        assert.match(err.message, /accessible to other users/);
        return true;
      },
    );
    await writeFile(file, 'X-Ok: 1\nAuthorization Bearer s3cret\n');
    await chmod(file, 0o600);
    assert.throws(
      () => readHeadersFile(file),
      (err: Error) => {
        assert.ok(err instanceof SetupError);
        assert.equal(err.message, `${file}:2: expected a header as "Name: value"`);
        return true;
      },
    );
    assert.throws(() => readHeadersFile(join(dir, 'none')), /does not exist/);
  });

  it('says which line of sheriff.yaml holds a bad endpoint or sampling ratio', () => {
    const bad = (yaml: string) => {
      try {
        parseConfig(yaml, 'sheriff.yaml');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.exitCode, 2);
        return err.problems;
      }
      assert.fail('accepted');
    };
    assert.deepEqual(
      bad('agent:\n  telemetry: otlp\n  otlp:\n    endpoint: ftp://collector/v1/traces\n'),
      [
        'sheriff.yaml:4: agent.otlp.endpoint: expected an http(s) URL like http://127.0.0.1:4318/v1/traces',
      ],
    );
    assert.deepEqual(bad('agent:\n  otlp:\n    sampleRatio: 1.5\n'), [
      'sheriff.yaml:3: agent.otlp.sampleRatio: must be at most 1',
    ]);
    assert.deepEqual(bad('agent:\n  telemetry: jaeger\n'), [
      'sheriff.yaml:2: agent.telemetry: expected one of none, console, otlp, got "jaeger"',
    ]);
    const ok = parseConfig('agent: { telemetry: otlp }\n', 'sheriff.yaml').agent.otlp;
    assert.deepEqual(ok, {
      endpoint: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'sheriff',
      sampleRatio: 1,
      timeout: 5000,
    });
  });

  it('keeps or drops a trace whole: a sampled-out finding exports none of its steps', async () => {
    const telemetry = await startTelemetry(
      {
        telemetry: 'otlp',
        otlp: { endpoint: receiver.endpoint, serviceName: 's', sampleRatio: 0, timeout: 5000 },
      },
      capturedLogger().logger,
    );
    const tracer = telemetry.tracer('test');
    const root = tracer.startSpan('sampled-out', { root: true });
    assert.equal(root.isRecording(), false);
    root.end();
    await telemetry.shutdown();
    assert.equal(byName(receiver.spans, 'sampled-out').length, 0);
  });
});

describe('agent.telemetry: none', () => {
  it('loads no tracing SDK and no exporter, in the daemon or the CLI', async () => {
    // Module resolution recorded in a fresh process, as `sheriff watch` starts.
    const dist = join(REPO_ROOT, 'dist');
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
      await import(${JSON.stringify(pathToFileURL(join(dist, 'cli/main.js')).href)});
      await import(${JSON.stringify(pathToFileURL(join(dist, 'app/daemon.js')).href)});
      const { startTelemetry } = await import(${JSON.stringify(pathToFileURL(join(dist, 'app/telemetry.js')).href)});
      await startTelemetry({ telemetry: 'none', otlp: {} }, null);
      console.log(JSON.stringify(seen.filter((u) => u.includes('@opentelemetry/'))));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--input-type=module',
      '-e',
      script,
    ]);
    const loaded = JSON.parse(stdout) as string[];
    assert.ok(
      loaded.some((u) => u.includes('@opentelemetry/api')),
      'the API is loaded',
    );
    assert.deepEqual(
      loaded.filter((u) => /sdk-trace|exporter|resources/.test(u)),
      [],
      'no SDK, exporter or resource module',
    );
  });
});

describe('sheriff ask with agent.telemetry: otlp (the real binary)', () => {
  const env = { SHERIFF_LLM_API_KEY: '', SHERIFF_SECRET: '', OTEL_EXPORTER_OTLP_HEADERS: '' };
  let collector: OtlpReceiver;
  const config = async (name: string, otlp: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `store: { path: ${join(dir, `${name}.db`)} }\nagent:\n  telemetry: otlp\n  otlp: { ${otlp} }\n`,
    );
    return file;
  };
  before(async () => {
    collector = new OtlpReceiver();
    await collector.start();
  });
  after(async () => {
    await collector.stop();
  });

  it("sends the run's span before it exits", async () => {
    const file = await config('ask', `endpoint: "${collector.endpoint}", serviceName: cli`);
    const r = await runCli(['--config', file, 'ask', 'status'], { env });
    assert.equal(r.code, 0, r.stderr);
    const run = one(collector.spans, 'agent.run');
    assert.deepEqual(
      [
        run.resource['service.name'],
        run.attributes['sheriff.channel'],
        run.attributes['sheriff.mode'],
      ],
      ['cli', 'cli', 'command'],
    );
  });

  it('answers with the collector down', async () => {
    const down = new OtlpReceiver();
    await down.start();
    const endpoint = down.endpoint;
    await down.stop(); // nothing listens there any more: connections are refused
    const file = await config('ask-down', `endpoint: "${endpoint}", timeout: 1s`);
    const r = await runCli(['--config', file, 'ask', 'status'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Status: normal/);
  });

  it('exits 2 on a headers file it cannot use, naming the file and line, never the value', async () => {
    const headers = join(dir, 'ask-headers');
    await writeFile(headers, 'Authorization Bearer s3cret-cli\n');
    await chmod(headers, 0o600);
    const file = await config('ask-bad', `headersFile: ${headers}`);
    const r = await runCli(['--config', file, 'ask', 'status'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${headers}:1: expected a header as "Name: value"`));
    assert.equal(r.stderr.includes('s3cret'), false);
  });
});
