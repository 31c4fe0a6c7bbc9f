import type { CliIo } from '../../src/app/cli-io';
import type { Prompt } from '../../src/app/prompt/prompt';

/** What a {@link cliIoDouble} recorded. */
export interface RecordedIo {
  stdout: string;
  stderr: string;
  /** The questions asked, in order; secret questions are prefixed `secret:`. */
  readonly questions: string[];
}

/** Answers for the double's prompt, in order; an Error is thrown at that question instead. */
export interface IoDoubleOptions {
  readonly interactive?: boolean;
  readonly answers?: readonly (string | Error)[];
  readonly stdin?: string;
  readonly now?: Date;
}

/** A CliIo that records what the CLI writes and answers prompts from a list: a typed double for unit tests. */
export function cliIoDouble(options: IoDoubleOptions = {}): { io: CliIo; recorded: RecordedIo } {
  const recorded: RecordedIo = { stdout: '', stderr: '', questions: [] };
  const answers = [...(options.answers ?? [])];
  const answer = (question: string): Promise<string> => {
    recorded.questions.push(question);
    const next = answers.shift();
    if (next === undefined) return Promise.reject(new Error(`unexpected question: ${question}`));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  const prompt: Prompt = {
    interactive: options.interactive ?? false,
    ask: (question) => answer(question),
    askSecret: (question) => answer(`secret:${question}`),
  };
  const io: CliIo = {
    stdout: (text) => {
      recorded.stdout += text;
    },
    stderr: (text) => {
      recorded.stderr += text;
    },
    prompt,
    readStdin: () =>
      options.stdin === undefined ? Promise.reject(new Error('no stdin')) : Promise.resolve(options.stdin),
    now: () => options.now ?? new Date('2025-06-01T12:00:00.000Z'),
  };
  return { io, recorded };
}
