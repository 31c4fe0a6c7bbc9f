import type { Prompt } from './prompt/prompt';

/** Everything the CLI touches outside itself, passed in so tests run it with plain doubles. */
export interface CliIo {
  /** The result: the report an operator keeps, or JSON. */
  readonly stdout: (text: string) => void;
  /** Progress, warnings and errors, so stdout holds only the result. */
  readonly stderr: (text: string) => void;
  /** Questions on the terminal, when there is one. */
  readonly prompt: Prompt;
  /** Reads standard input to its end (`--client-secret-stdin`). */
  readonly readStdin: () => Promise<string>;
  readonly now: () => Date;
}
