/**
 * The spans of a response, one trace per finding across its asynchronous
 * steps: `sheriff.finding` (the root) → `sheriff.approval.request` →
 * `sheriff.approval.decision` (from the request to the decision, whichever
 * channel or process made it) → `sheriff.ban` (guardrails and firewall). An
 * automatic ban hangs off the finding directly; an action nobody's finding
 * asked for (an admin's, the analyst's) starts its own trace at its decision.
 *
 * The steps run minutes apart (an admin decides), so each span ends with its
 * step and the next names it as parent: only that parent's context is kept,
 * per approval id, bounded, and only when tracing is on. Attributes carry ids,
 * jail names, addresses and outcomes: no reasons, no log text, no names of who
 * asked or decided (their channel only).
 */
import {
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import type { Finding, Millis } from '../domain.js';
import type { StoredApproval } from '../store/index.js';

/** Approvals whose trace is remembered, at most (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;

/** Where an approval's trace goes on: its finding, and its request span. */
interface Remembered {
  finding: SpanContext;
  request: SpanContext;
}

/** What became of a finding in the responder (the root span's `sheriff.response`). */
export type FindingResponse =
  | 'no-response' // the jail notifies only, or the address is internal or unknown to any jail
  | 'already-handled' // a ban or a pending request covers the address
  | 'held' // the admin denied a request for it a short while ago
  | 'approval-requested'
  | 'automatic';

export class ResponseTrace {
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly tracer: Tracer,
    private readonly clock: () => Millis,
  ) {}

  /** The root span of a finding's trace; the caller ends it. */
  finding(f: Finding, findingId: number | null): Span {
    return this.tracer.startSpan('sheriff.finding', {
      root: true,
      startTime: this.clock(),
      attributes: {
        'sheriff.jail': f.jail,
        'sheriff.finding.kind': f.kind,
        'sheriff.finding.scope': f.scope,
        'sheriff.finding.count': f.count,
        'sheriff.address': f.ip,
        ...(findingId === null ? {} : { 'sheriff.finding.id': findingId }),
      },
    });
  }

  /**
   * The request for `approval`, under `finding` (a span, or the finding of an
   * earlier request for the same target, named by its approval id).
   */
  requested(approval: StoredApproval, finding: Span | { after: string }): void {
    const parent =
      'after' in finding ? this.remembered.get(finding.after)?.finding : finding.spanContext();
    const span = this.tracer.startSpan(
      'sheriff.approval.request',
      { startTime: this.clock(), attributes: approvalAttributes(approval) },
      parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent),
    );
    span.end(this.clock());
    const request = span.spanContext();
    if (parent === undefined || !isSpanContextValid(request)) return;
    this.remembered.set(approval.id, { finding: parent, request });
    if (this.remembered.size > MAX_REMEMBERED)
      this.remembered.delete(this.remembered.keys().next().value!);
  }

  /**
   * The decision on `approval` (approved, denied, expired), from its request
   * to when it was made; returns the context its execution runs in.
   */
  decided(approval: StoredApproval): Context {
    const remembered = this.remembered.get(approval.id);
    const parent =
      remembered === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, remembered.request);
    const span = this.tracer.startSpan(
      'sheriff.approval.decision',
      {
        root: remembered === undefined,
        startTime: approval.createdAt,
        attributes: {
          ...approvalAttributes(approval),
          'sheriff.approval.outcome': approval.status,
          ...(approval.channel === null ? {} : { 'sheriff.approval.channel': approval.channel }),
        },
      },
      parent,
    );
    span.end(approval.decidedAt ?? this.clock());
    return trace.setSpan(ROOT_CONTEXT, span);
  }

  /**
   * `work` (an action's guardrails and firewall call) in a span named
   * `sheriff.<action>` under `parent`; the span ends when the work does.
   */
  async action<T>(
    action: string,
    parent: Span | Context,
    attributes: Attributes,
    work: (span: Span) => Promise<T>,
  ): Promise<T> {
    const context = 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
    const span = this.tracer.startSpan(
      `sheriff.${action}`,
      { startTime: this.clock(), attributes },
      context,
    );
    try {
      return await work(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `the ${action} failed` });
      throw err;
    } finally {
      span.end(this.clock());
    }
  }
}

function approvalAttributes(a: StoredApproval): Attributes {
  return {
    'sheriff.approval.id': a.id,
    'sheriff.approval.action': a.action,
    // Who asked, by kind only ('jail', 'agent', 'admin'): a jail's name is no one's identity.
    'sheriff.approval.requester': a.requestedBy.startsWith('jail:')
      ? a.requestedBy
      : a.requestedBy.split(':')[0]!,
    ...(a.target === null ? {} : { 'sheriff.target': a.target.cidr }),
    ...(a.jail === null ? {} : { 'sheriff.jail': a.jail }),
    ...(a.durationMs === null ? {} : { 'sheriff.ban.duration_ms': a.durationMs }),
  };
}
