/**
 * Prompt program files (`sheriff optimize` writes them, the daemon and
 * `sheriff eval --program` read them): versioned JSON, validated, with errors
 * that name the file and the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { SetupError } from '../config/errors.js';
import type { PromptProgram } from './program.js';

export const PROGRAM_FORMAT = 'sheriff-program/1';

const programSchema = z.strictObject({
  format: z.literal(PROGRAM_FORMAT, { error: `expected "${PROGRAM_FORMAT}"` }),
  task: z.enum(['triage', 'agent']),
  instruction: z.string().min(1),
  demos: z.array(z.strictObject({ input: z.string(), output: z.string() })),
  model: z.string().nullable(),
  scores: z.record(z.string(), z.number()),
  datasets: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256')),
  createdAt: z.string(),
}) satisfies z.ZodType<PromptProgram>;

/** A program file that cannot be used; named in `eval.agentProgram`, it stops the start (exit 2). */
export class ProgramFileError extends SetupError {
  override name = 'ProgramFileError';
}

export function readProgram(path: string, task?: PromptProgram['task']): PromptProgram {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ProgramFileError(`${path}: ${(err as Error).message}`);
  }
  const result = programSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ProgramFileError(`${path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  if (task !== undefined && result.data.task !== task) {
    throw new ProgramFileError(`${path}: task: a ${result.data.task} program, not a ${task} one`);
  }
  return result.data;
}

export function writeProgram(path: string, program: PromptProgram): void {
  writeFileSync(path, JSON.stringify(program, null, 2) + '\n');
}
