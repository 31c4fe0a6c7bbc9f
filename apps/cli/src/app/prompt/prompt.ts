/** Asks the operator for input on a terminal. */
export interface Prompt {
  /** False when standard input is not a terminal: nobody to ask, so callers must not. */
  readonly interactive: boolean;
  /** Asks a question and returns the answer, trimmed; the typing is echoed. */
  ask(question: string): Promise<string>;
  /** Asks for a secret without echoing what is typed; returns it as typed (not trimmed). */
  askSecret(question: string): Promise<string>;
}
