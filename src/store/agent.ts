/**
 * The analyst's tables: conversation memory (trimmed), runs, tool calls and
 * token usage per UTC day. Values are always bound parameters; tool results
 * and arguments may quote attacker text and are stored as data only.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis, StatusLevel } from '../domain.js';

export type AgentMode = 'llm' | 'command';
export type RunOutcome = 'running' | 'answered' | 'stopped' | 'failed' | 'refused';
export type ToolCallOutcome = 'ok' | 'unknown-tool' | 'invalid-args' | 'refused' | 'failed';

/** Something code stopped, refused or repaired during a run. */
export interface RunStop {
  code: string;
  detail: string;
}

export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: string;
  createdAt: Millis;
}

export interface RunStart {
  conversation: string;
  channel: string;
  identity: string;
  mode: AgentMode;
  model: string | null;
  question: string;
  startedAt: Millis;
}

export interface RunEnd {
  answer: string;
  status: StatusLevel | null;
  outcome: Exclude<RunOutcome, 'running'>;
  stops: RunStop[];
  steps: number;
  inputTokens: number;
  outputTokens: number;
  endedAt: Millis;
}

export interface StoredRun extends RunStart {
  id: number;
  answer: string | null;
  status: StatusLevel | null;
  outcome: RunOutcome;
  stops: RunStop[];
  steps: number;
  inputTokens: number;
  outputTokens: number;
  endedAt: Millis | null;
}

export interface ToolCallRecord {
  runId: number;
  step: number;
  callId: string;
  name: string;
  arguments: string;
  outcome: ToolCallOutcome;
  result: string;
  latencyMs: number;
  createdAt: Millis;
}

export interface StoredToolCall extends ToolCallRecord {
  id: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/** The UTC day of `t`, as the usage table keys it. */
export function usageDay(t: Millis): string {
  return new Date(t).toISOString().slice(0, 10);
}

interface RunRow {
  id: number;
  conversation: string;
  channel: string;
  identity: string;
  mode: string;
  model: string | null;
  question: string;
  answer: string | null;
  status: string | null;
  outcome: string;
  stops: string;
  steps: number;
  input_tokens: number;
  output_tokens: number;
  started_at: number;
  ended_at: number | null;
}

interface ToolCallRow {
  id: number;
  run_id: number;
  step: number;
  call_id: string;
  name: string;
  arguments: string;
  outcome: string;
  result: string;
  latency_ms: number;
  created_at: number;
}

const RUN_COLUMNS =
  'id, conversation, channel, identity, mode, model, question, answer, status, outcome, stops, steps, input_tokens, output_tokens, started_at, ended_at';

export class AgentStore {
  private readonly addMessageStmt: Statement<[string, string, string, number]>;
  private readonly trimStmt: Statement<[string, string, number]>;
  private readonly historyStmt: Statement<
    [string, number],
    { role: string; content: string; created_at: number }
  >;
  private readonly startRunStmt: Statement<unknown[]>;
  private readonly endRunStmt: Statement<unknown[]>;
  private readonly getRunStmt: Statement<[number], RunRow>;
  private readonly recentRunsStmt: Statement<[number], RunRow>;
  private readonly addToolCallStmt: Statement<unknown[]>;
  private readonly toolCallsStmt: Statement<[number], ToolCallRow>;
  private readonly addUsageStmt: Statement<[string, string, number, number]>;
  private readonly usageStmt: Statement<[string, string], Usage>;
  private readonly dayUsageStmt: Statement<[string], Usage>;

  constructor(private readonly db: Database) {
    this.addMessageStmt = db.prepare(
      'INSERT INTO agent_messages (conversation, role, content, created_at) VALUES (?, ?, ?, ?)',
    );
    this.trimStmt = db.prepare(
      `DELETE FROM agent_messages WHERE conversation = ? AND id NOT IN (
         SELECT id FROM agent_messages WHERE conversation = ? ORDER BY id DESC LIMIT ?)`,
    );
    this.historyStmt = db.prepare(
      `SELECT role, content, created_at FROM (
         SELECT id, role, content, created_at FROM agent_messages
         WHERE conversation = ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
    );
    this.startRunStmt = db.prepare(
      `INSERT INTO agent_runs (conversation, channel, identity, mode, model, question, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.endRunStmt = db.prepare(
      `UPDATE agent_runs SET answer = ?, status = ?, outcome = ?, stops = ?, steps = ?,
         input_tokens = ?, output_tokens = ?, ended_at = ? WHERE id = ?`,
    );
    this.getRunStmt = db.prepare(`SELECT ${RUN_COLUMNS} FROM agent_runs WHERE id = ?`);
    this.recentRunsStmt = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM agent_runs ORDER BY started_at DESC, id DESC LIMIT ?`,
    );
    this.addToolCallStmt = db.prepare(
      `INSERT INTO agent_tool_calls (run_id, step, call_id, name, arguments, outcome, result,
         latency_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.toolCallsStmt = db.prepare('SELECT * FROM agent_tool_calls WHERE run_id = ? ORDER BY id');
    this.addUsageStmt = db.prepare(
      `INSERT INTO agent_usage (day, conversation, input_tokens, output_tokens, calls)
       VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (day, conversation) DO UPDATE SET
         input_tokens = input_tokens + excluded.input_tokens,
         output_tokens = output_tokens + excluded.output_tokens,
         calls = calls + 1`,
    );
    this.usageStmt = db.prepare(
      `SELECT input_tokens AS inputTokens, output_tokens AS outputTokens, calls
       FROM agent_usage WHERE day = ? AND conversation = ?`,
    );
    this.dayUsageStmt = db.prepare(
      `SELECT coalesce(sum(input_tokens), 0) AS inputTokens,
         coalesce(sum(output_tokens), 0) AS outputTokens, coalesce(sum(calls), 0) AS calls
       FROM agent_usage WHERE day = ?`,
    );
  }

  /** Appends a message and keeps only the newest `keep` of the conversation. */
  addMessage(conversation: string, message: ConversationMessage, keep: number): void {
    this.db.transaction(() => {
      this.addMessageStmt.run(
        conversation,
        message.role,
        message.content,
        Math.floor(message.createdAt),
      );
      this.trimStmt.run(conversation, conversation, keep);
    })();
  }

  /** The newest `limit` messages of a conversation, oldest first. */
  history(conversation: string, limit: number): ConversationMessage[] {
    return this.historyStmt.all(conversation, limit).map((r) => ({
      role: r.role === 'assistant' ? 'assistant' : 'user',
      content: r.content,
      createdAt: r.created_at,
    }));
  }

  startRun(r: RunStart): number {
    return Number(
      this.startRunStmt.run(
        r.conversation,
        r.channel,
        r.identity,
        r.mode,
        r.model,
        r.question,
        Math.floor(r.startedAt),
      ).lastInsertRowid,
    );
  }

  endRun(id: number, e: RunEnd): void {
    this.endRunStmt.run(
      e.answer,
      e.status,
      e.outcome,
      JSON.stringify(e.stops),
      e.steps,
      e.inputTokens,
      e.outputTokens,
      Math.floor(e.endedAt),
      id,
    );
  }

  run(id: number): StoredRun | null {
    const row = this.getRunStmt.get(id);
    return row === undefined ? null : fromRunRow(row);
  }

  recentRuns(limit = 20): StoredRun[] {
    return this.recentRunsStmt.all(limit).map(fromRunRow);
  }

  addToolCall(c: ToolCallRecord): number {
    return Number(
      this.addToolCallStmt.run(
        c.runId,
        c.step,
        c.callId,
        c.name,
        c.arguments,
        c.outcome,
        c.result,
        Math.round(c.latencyMs),
        Math.floor(c.createdAt),
      ).lastInsertRowid,
    );
  }

  toolCalls(runId: number): StoredToolCall[] {
    return this.toolCallsStmt.all(runId).map((r) => ({
      id: r.id,
      runId: r.run_id,
      step: r.step,
      callId: r.call_id,
      name: r.name,
      arguments: r.arguments,
      outcome: r.outcome as ToolCallOutcome,
      result: r.result,
      latencyMs: r.latency_ms,
      createdAt: r.created_at,
    }));
  }

  /** Adds one provider call's tokens to the conversation's day. */
  addUsage(conversation: string, at: Millis, inputTokens: number, outputTokens: number): void {
    this.addUsageStmt.run(usageDay(at), conversation, inputTokens, outputTokens);
  }

  /** Tokens used on `at`'s UTC day: by one conversation, or by all when none is given. */
  usage(at: Millis, conversation?: string): Usage {
    const day = usageDay(at);
    if (conversation === undefined) return this.dayUsageStmt.get(day)!;
    return this.usageStmt.get(day, conversation) ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
  }
}

function fromRunRow(r: RunRow): StoredRun {
  let stops: RunStop[] = [];
  try {
    const v: unknown = JSON.parse(r.stops);
    if (Array.isArray(v)) stops = v as RunStop[];
  } catch {
    stops = [];
  }
  return {
    id: r.id,
    conversation: r.conversation,
    channel: r.channel,
    identity: r.identity,
    mode: r.mode === 'llm' ? 'llm' : 'command',
    model: r.model,
    question: r.question,
    answer: r.answer,
    status: r.status as StatusLevel | null,
    outcome: r.outcome as RunOutcome,
    stops,
    steps: r.steps,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { fromRunRow };
