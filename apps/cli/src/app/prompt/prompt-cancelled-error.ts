import { SmartLinkError } from '@smartlink/common';

/** The operator pressed Ctrl-C (or Ctrl-D on an empty line) at a prompt. */
export class PromptCancelledError extends SmartLinkError {
  constructor() {
    super('PROMPT_CANCELLED', 'cancelled at the prompt', false);
  }
}
