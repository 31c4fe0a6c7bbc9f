import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { Prompt } from './prompt';
import { PromptCancelledError } from './prompt-cancelled-error';

/** The parts of `process.stdin` a prompt uses; `setRawMode` exists only on a terminal. */
export interface PromptInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);
const ESCAPE = '\u001b';

/**
 * Prompts on a terminal: questions go to `output` (stderr, so stdout keeps only the result). A secret is read in raw
 * mode, character by character, and nothing of it is written back: no echo, no asterisks that would tell its length.
 * Raw mode is switched on before the question is written, so nothing typed after the question appears is echoed.
 */
export class TerminalPrompt implements Prompt {
  constructor(
    private readonly input: PromptInput,
    private readonly output: NodeJS.WritableStream,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true && typeof this.input.setRawMode === 'function';
  }

  ask(question: string): Promise<string> {
    this.assertInteractive();
    const lines = createInterface({ input: this.input, output: this.output, terminal: true });
    return new Promise<string>((resolve, reject) => {
      let answered = false;
      lines.once('SIGINT', () => lines.close());
      lines.once('close', () => {
        if (!answered) reject(new PromptCancelledError());
      });
      lines.question(question, (answer) => {
        answered = true;
        lines.close();
        resolve(answer.trim());
      });
    }).finally(() => this.input.pause());
  }

  askSecret(question: string): Promise<string> {
    this.assertInteractive();
    const input = this.input;
    const wasRaw = input.isRaw === true;
    const decoder = new StringDecoder('utf8');
    return new Promise<string>((resolve, reject) => {
      let typed: string[] = [];
      const finish = (outcome: () => void) => {
        input.removeListener('data', onData);
        input.setRawMode?.(wasRaw);
        input.pause();
        this.output.write('\n');
        outcome();
      };
      const onData = (chunk: Buffer | string) => {
        const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
        // Arrow and function keys arrive as one escape sequence: they edit nothing here.
        if (text.startsWith(ESCAPE)) return;
        for (const char of text) {
          if (ENTER.has(char)) return finish(() => resolve(typed.join('')));
          if (char === CTRL_C || (char === CTRL_D && typed.length === 0)) {
            return finish(() => reject(new PromptCancelledError()));
          }
          if (BACKSPACE.has(char)) typed = typed.slice(0, -1);
          else if (char === CTRL_U) typed = [];
          else if (char >= ' ') typed.push(char);
        }
      };
      input.setRawMode?.(true);
      input.on('data', onData);
      input.resume();
      this.output.write(question);
    });
  }

  private assertInteractive(): void {
    if (!this.interactive) throw new Error('no terminal to prompt on');
  }
}
