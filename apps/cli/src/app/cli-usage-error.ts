import { SmartLinkError } from '@smartlink/common';

/** The command line or the input is wrong (exit code 2); the message says what to do instead. */
export class CliUsageError extends SmartLinkError {
  constructor(message: string) {
    super('CLI_USAGE', message, false);
  }
}
