/**
 * The one interface every model provider sits behind (OpenAI-compatible chat
 * completions with tool calling: Groq, OpenAI, Ollama, vLLM, llama.cpp).
 * Tool call arguments stay raw JSON text: validating them is the caller's job,
 * so a model that sends malformed arguments is seen and recorded, not hidden.
 */
export type LlmRole = 'system' | 'user' | 'assistant' | 'tool';

export interface LlmToolCall {
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them (JSON text, possibly malformed). */
  arguments: string;
}

export interface LlmMessage {
  role: LlmRole;
  content: string;
  /** Assistant messages: the tools it asked for. */
  toolCalls?: LlmToolCall[];
  /** Tool messages: which call this answers. */
  toolCallId?: string;
}

export interface LlmToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  messages: LlmMessage[];
  tools?: LlmToolSpec[];
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  text: string;
  toolCalls: LlmToolCall[];
  finishReason: 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'error' | 'other';
  usage: LlmUsage;
  model: string;
  latencyMs: number;
}

export interface LlmClient {
  /** The model name sent to the provider (part of cache keys and usage records). */
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
}
