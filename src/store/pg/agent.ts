/** The analyst's tables on PostgreSQL: the twin of store/agent.ts. */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import {
  fromRunRow,
  usageDay,
  type AgentStore,
  type ConversationMessage,
  type RunEnd,
  type RunStart,
  type StoredRun,
  type StoredToolCall,
  type ToolCallRecord,
  type Usage,
} from '../agent.js';
import type { Async } from '../api.js';
import { json, query, row, rows, transaction } from './db.js';

type RunRow = Parameters<typeof fromRunRow>[0];

const RUN_COLUMNS =
  'id, conversation, channel, identity, mode, model, question, answer, status, outcome, stops, steps, input_tokens, output_tokens, started_at, ended_at';

export class PgAgentStore implements Async<AgentStore> {
  constructor(private readonly pool: pg.Pool) {}

  /** Appends a message and keeps only the newest `keep` of the conversation. */
  async addMessage(
    conversation: string,
    message: ConversationMessage,
    keep: number,
  ): Promise<void> {
    await transaction(this.pool, async (c) => {
      await query(
        c,
        'INSERT INTO agent_messages (conversation, role, content, created_at) VALUES ($1, $2, $3, $4)',
        [conversation, message.role, message.content, Math.floor(message.createdAt)],
      );
      await query(
        c,
        `DELETE FROM agent_messages WHERE conversation = $1 AND id NOT IN (
           SELECT id FROM agent_messages WHERE conversation = $1 ORDER BY id DESC LIMIT $2)`,
        [conversation, keep],
      );
    });
  }

  /** The newest `limit` messages of a conversation, oldest first. */
  async history(conversation: string, limit: number): Promise<ConversationMessage[]> {
    const found = await rows<{ role: string; content: string; created_at: number }>(
      this.pool,
      `SELECT role, content, created_at FROM (
         SELECT id, role, content, created_at FROM agent_messages
         WHERE conversation = $1 ORDER BY id DESC LIMIT $2) AS newest ORDER BY id`,
      [conversation, limit],
    );
    return found.map((r) => ({
      role: r.role === 'assistant' ? 'assistant' : 'user',
      content: r.content,
      createdAt: r.created_at,
    }));
  }

  async startRun(r: RunStart): Promise<number> {
    const found = await row<{ id: number }>(
      this.pool,
      `INSERT INTO agent_runs (conversation, channel, identity, mode, model, question, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [r.conversation, r.channel, r.identity, r.mode, r.model, r.question, Math.floor(r.startedAt)],
    );
    return found!.id;
  }

  async endRun(id: number, e: RunEnd): Promise<void> {
    await query(
      this.pool,
      `UPDATE agent_runs SET answer = $1, status = $2, outcome = $3, stops = $4, steps = $5,
         input_tokens = $6, output_tokens = $7, ended_at = $8 WHERE id = $9`,
      [
        e.answer,
        e.status,
        e.outcome,
        json(e.stops),
        e.steps,
        e.inputTokens,
        e.outputTokens,
        Math.floor(e.endedAt),
        id,
      ],
    );
  }

  async run(id: number): Promise<StoredRun | null> {
    const r = await row<RunRow>(this.pool, `SELECT ${RUN_COLUMNS} FROM agent_runs WHERE id = $1`, [
      id,
    ]);
    return r === undefined ? null : fromRunRow(r);
  }

  async recentRuns(limit = 20): Promise<StoredRun[]> {
    const found = await rows<RunRow>(
      this.pool,
      `SELECT ${RUN_COLUMNS} FROM agent_runs ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return found.map(fromRunRow);
  }

  async addToolCall(c: ToolCallRecord): Promise<number> {
    const r = await row<{ id: number }>(
      this.pool,
      `INSERT INTO agent_tool_calls (run_id, step, call_id, name, arguments, outcome, result,
         latency_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        c.runId,
        c.step,
        c.callId,
        c.name,
        c.arguments,
        c.outcome,
        c.result,
        Math.round(c.latencyMs),
        Math.floor(c.createdAt),
      ],
    );
    return r!.id;
  }

  async toolCalls(runId: number): Promise<StoredToolCall[]> {
    return rows<StoredToolCall>(
      this.pool,
      `SELECT id, run_id AS "runId", step, call_id AS "callId", name, arguments, outcome, result,
         latency_ms AS "latencyMs", created_at AS "createdAt"
       FROM agent_tool_calls WHERE run_id = $1 ORDER BY id`,
      [runId],
    );
  }

  /** Adds one provider call's tokens to the conversation's day. */
  async addUsage(
    conversation: string,
    at: Millis,
    inputTokens: number,
    outputTokens: number,
  ): Promise<void> {
    await query(
      this.pool,
      `INSERT INTO agent_usage AS u (day, conversation, input_tokens, output_tokens, calls)
       VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (day, conversation) DO UPDATE SET
         input_tokens = u.input_tokens + excluded.input_tokens,
         output_tokens = u.output_tokens + excluded.output_tokens,
         calls = u.calls + 1`,
      [usageDay(at), conversation, inputTokens, outputTokens],
    );
  }

  /** Tokens used on `at`'s UTC day: by one conversation, or by all when none is given. */
  async usage(at: Millis, conversation?: string): Promise<Usage> {
    const day = usageDay(at);
    const columns = `input_tokens AS "inputTokens", output_tokens AS "outputTokens", calls`;
    if (conversation === undefined) {
      const r = await row<Usage>(
        this.pool,
        `SELECT coalesce(sum(input_tokens), 0) AS "inputTokens",
           coalesce(sum(output_tokens), 0) AS "outputTokens", coalesce(sum(calls), 0) AS calls
         FROM agent_usage WHERE day = $1`,
        [day],
      );
      return r!;
    }
    const r = await row<Usage>(
      this.pool,
      `SELECT ${columns} FROM agent_usage WHERE day = $1 AND conversation = $2`,
      [day, conversation],
    );
    return r ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
  }
}
