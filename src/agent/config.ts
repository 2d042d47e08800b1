/**
 * The `agent:` section of sheriff.yaml: which OpenAI-compatible provider the
 * analyst talks to, and the bounds it runs within. With no provider the
 * analyst still answers common requests in command mode (agent/commands.ts).
 */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';

export const PROVIDER_NAMES = [
  'none',
  'groq',
  'openai',
  'ollama',
  'vllm',
  'llamacpp',
  'custom',
] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const TELEMETRY_KINDS = ['none', 'console', 'otlp'] as const;
export type TelemetryKind = (typeof TELEMETRY_KINDS)[number];

const otlpSchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https?$/, error: 'config.error.otlpUrl' })
      .default('http://127.0.0.1:4318/v1/traces')
      .describe("the collector's OTLP/HTTP traces URL"),
    headersFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'file of "Name: value" lines sent with every export, e.g. an API key (mode 0600); else OTEL_EXPORTER_OTLP_HEADERS',
      ),
    serviceName: z
      .string()
      .min(1)
      .max(200)
      .default('sheriff')
      .describe('service.name of the spans'),
    sampleRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe("share of traces kept, 0 to 1: a finding's trace is kept or dropped whole"),
    timeout: duration('5s')
      .default(5000)
      .describe('one export to the collector, retries included, at most'),
  })
  .prefault({});

export type OtlpConfig = z.output<typeof otlpSchema>;

export const agentConfigSchema = z
  .strictObject({
    provider: z
      .enum(PROVIDER_NAMES)
      .default('none')
      .describe(
        'none: command mode only; groq, openai, ollama, vllm, llamacpp: presets; custom: give baseUrl and model',
      ),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'config.error.providerUrl' })
      .optional()
      .describe("the provider's OpenAI-compatible API root (default: the preset's)"),
    model: z.string().min(1).optional().describe("model name (default: the preset's)"),
    apiKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'file holding the API key (mode 0600); else SHERIFF_LLM_API_KEY or the preset variable (GROQ_API_KEY, OPENAI_API_KEY)',
      ),
    timeout: duration('60s').default(60_000).describe('one request to the provider'),
    maxRetries: count(0).max(10).default(3).describe('retries on 429, 5xx, timeouts'),
    maxSteps: count(1).max(50).default(8).describe('model calls in one answer, at most'),
    maxRunTime: duration('2m').default(120_000).describe('wall time of one answer, at most'),
    maxOutputTokens: count(64).default(1024),
    budget: z
      .strictObject({
        perConversation: count(1000)
          .default(200_000)
          .describe('tokens one conversation may use in a day'),
        perDay: count(1000)
          .default(2_000_000)
          .describe('tokens all conversations may use in a day'),
      })
      .prefault({}),
    history: count(2).max(200).default(20).describe('messages of a conversation kept as memory'),
    telemetry: z
      .enum(TELEMETRY_KINDS)
      .default('none')
      .describe(
        "OpenTelemetry spans of the analyst's runs and of each finding's response: none, console (stdout), or otlp (to a collector, see otlp)",
      ),
    otlp: otlpSchema.describe('the OpenTelemetry collector spans go to with telemetry: otlp'),
  })
  .prefault({});

export type AgentConfig = z.output<typeof agentConfigSchema>;
