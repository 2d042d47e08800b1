/**
 * A prompt program: the instruction and few-shot demos a task runs with.
 * `sheriff optimize` writes one as a versioned JSON file; the daemon loads it
 * by config. Demos only ever come from a dataset's training split.
 */
export type ProgramTask = 'triage' | 'agent';

export interface PromptDemo {
  /** The task input as the model sees it. */
  input: string;
  /** The answer the metric accepted. */
  output: string;
}

export interface PromptProgram {
  format: 'sheriff-program/1';
  task: ProgramTask;
  instruction: string;
  demos: PromptDemo[];
  /** The model it was optimised for, or null for the built-in default. */
  model: string | null;
  /** Metric name → score on the split it was measured on. */
  scores: Record<string, number>;
  /** Dataset name → sha256 of the file the program was optimised on. */
  datasets: Record<string, string>;
  createdAt: string;
}
