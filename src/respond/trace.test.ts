/**
 * The responder's spans (trace.ts) on a real SQLite store, real approvals and
 * guardrails and the dry-run firewall, collected in memory: an automatic ban
 * hangs off its finding, a refused one says so, and a request asked again
 * after an expiry stays in the trace of the finding that started it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { Finding } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/index.js';
import { T0 } from '../store/testing.js';
import { Approvals, authorizer } from './approvals.js';
import { CircuitBreaker } from './breaker.js';
import { DryRunFirewall } from './firewall/dry-run.js';
import { Guardrails } from './guardrails.js';
import { Responder, type Policy, type ResponseAlert } from './responder.js';
import { parseSecret } from './secret.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-trace-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const finding = (ip: string): Finding => ({
  kind: 'bruteforce',
  jail: 'sshd',
  scope: 'address',
  ip,
  count: 5,
  first: T0,
  last: T0,
  users: ['root'],
});

let n = 0;
function setup(policy: Policy) {
  let now = T0;
  const clock = () => now;
  const store = openStore(join(dir, `t${n++}.db`));
  const approvals = new Approvals(store.records, {
    key: parseSecret('b'.repeat(64), 'test'),
    authorize: authorizer(),
    ttlMs: 60_000,
  });
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const alerts: ResponseAlert[] = [];
  const responder = new Responder({
    store: store.records,
    approvals,
    guardrails: new Guardrails({
      trusted: trustedNetworks(),
      sessions: { sessions: () => Promise.resolve([]) },
      breaker: new CircuitBreaker({ maxPerMinute: 30, clock }),
    }),
    firewall: new DryRunFirewall({ log: () => {}, now: clock }),
    jails: new Map([['sshd', { policy, bantime: 600_000 }]]),
    settings: {
      increment: { factor: 2, max: 86_400_000 },
      killConnections: false,
      admins: [],
      managementPorts: [22],
      isolateRevertAfter: 60_000,
    },
    clock,
    logger: createLogger({ level: 'silent', format: 'json' }),
    alert: (a) => alerts.push(a),
    tracer: provider.getTracer('sheriff.respond'),
  });
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  return {
    store,
    approvals,
    responder,
    alerts,
    named,
    advance: (ms: number) => (now += ms),
    now: clock,
    close: () => store.close(),
  };
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const childOf = (child: ReadableSpan, parent: ReadableSpan) => {
  assert.equal(child.spanContext().traceId, parent.spanContext().traceId);
  assert.equal(parentOf(child), parent.spanContext().spanId, `${child.name} under ${parent.name}`);
};

describe('the response trace', () => {
  it('auto: the ban hangs off its finding; a guardrail refusal is a ban span that says so', async () => {
    const r = setup('auto');
    try {
      r.responder.onFinding(finding('203.0.113.9'), 7);
      r.responder.onFinding(finding('192.168.1.5'), 8); // a private address: never banned
      await r.responder.tick();
      const [banned, refused] = ['203.0.113.9', '192.168.1.5'].map((ip) => {
        const root = r
          .named('sheriff.finding')
          .find((s) => s.attributes['sheriff.address'] === ip)!;
        assert.equal(parentOf(root), undefined);
        assert.equal(root.attributes['sheriff.response'], 'automatic');
        const ban = r
          .named('sheriff.ban')
          .find((s) => s.attributes['sheriff.target'] === `${ip}/32`)!;
        childOf(ban, root);
        return ban;
      });
      assert.equal(banned!.attributes['sheriff.ban.outcome'], 'applied');
      assert.equal(banned!.attributes['sheriff.firewall'], 'dry-run');
      assert.equal(refused!.attributes['sheriff.ban.outcome'], 'refused');
      assert.equal(r.store.bans.active(r.now()).length, 1);
    } finally {
      r.close();
    }
  });

  it('asked again after an expiry: the new request stays in the finding’s trace, down to the ban', async () => {
    const r = setup('approve');
    try {
      r.responder.onFinding(finding('203.0.113.20'), 1);
      await r.responder.settled();
      const [root] = r.named('sheriff.finding');
      const [first] = r.named('sheriff.approval.request');
      childOf(first!, root!);
      r.advance(61_000);
      await r.responder.tick(); // the request expires
      const [expired] = r.named('sheriff.approval.decision');
      childOf(expired!, first!);
      assert.equal(expired!.attributes['sheriff.approval.outcome'], 'expired');
      r.responder.onFailure('203.0.113.20', r.now()); // still failing: asked again
      await r.responder.settled();
      const second = r.named('sheriff.approval.request')[1]!;
      childOf(second, root!);
      const id = String(second.attributes['sheriff.approval.id']);
      assert.ok(
        (await r.approvals.decide(id, 'approve', { channel: 'cli', identity: 'root' }, r.now())).ok,
      );
      await r.responder.tick();
      const approved = r.named('sheriff.approval.decision')[1]!;
      childOf(approved, second);
      assert.equal(approved.attributes['sheriff.approval.outcome'], 'approved');
      const [ban] = r.named('sheriff.ban');
      childOf(ban!, approved);
      assert.equal(ban!.attributes['sheriff.ban.outcome'], 'applied');
    } finally {
      r.close();
    }
  });

  it('an action no finding asked for (an admin’s unban) starts its own trace at its decision', async () => {
    const r = setup('approve');
    try {
      const request = await r.approvals.request(
        {
          action: 'unban',
          target: { cidr: '198.51.100.77/32', family: 4 },
          durationMs: null,
          reason: 'an admin asked',
          requestedBy: 'admin:cli:root',
          jail: null,
          evidence: { findings: [], events: [] },
        },
        r.now(),
      );
      assert.ok(
        (
          await r.approvals.decide(
            request.id,
            'approve',
            { channel: 'cli', identity: 'root' },
            r.now(),
          )
        ).ok,
      );
      await r.responder.tick();
      const [decision] = r.named('sheriff.approval.decision');
      assert.equal(parentOf(decision!), undefined);
      assert.equal(decision!.attributes['sheriff.approval.requester'], 'admin');
      assert.equal(decision!.attributes['sheriff.approval.channel'], 'cli');
      const [unban] = r.named('sheriff.unban');
      childOf(unban!, decision!);
    } finally {
      r.close();
    }
  });
});
