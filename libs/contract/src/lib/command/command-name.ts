import { MessageLimits, SmartLinkError } from '@smartlink/common';

/**
 * A command (message type) name becomes part of a Kafka topic name (`<namespace>.cmd.<Command>`), so only
 * characters legal in topic names are accepted, the first one alphanumeric (so `.` and `..` can never appear
 * alone), and the length is bounded well under Kafka's 249-character topic limit.
 */
export const MAX_COMMAND_NAME_LENGTH = MessageLimits.COMMAND;
/** The characters of a legal command name; the length bound is {@link MAX_COMMAND_NAME_LENGTH}. */
export const COMMAND_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A command name that cannot become a topic. Never retriable: the same name will fail again. */
export class IllegalCommandNameError extends SmartLinkError {
  constructor(readonly reason: string) {
    super('ILLEGAL_COMMAND_NAME', `Illegal command name: ${reason}`, false);
  }
}

/** Returns the command name if legal, otherwise throws {@link IllegalCommandNameError}. */
export function parseCommandName(value: unknown): string {
  if (typeof value !== 'string') {
    throw new IllegalCommandNameError(`expected a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (value.length === 0) throw new IllegalCommandNameError('empty');
  if (value.length > MAX_COMMAND_NAME_LENGTH) {
    throw new IllegalCommandNameError(
      `${value.length} characters, at most ${MAX_COMMAND_NAME_LENGTH} allowed`,
    );
  }
  if (!COMMAND_NAME_PATTERN.test(value)) {
    // Quote the name through JSON so control characters and quotes in hostile input stay visible and inert.
    throw new IllegalCommandNameError(
      `${JSON.stringify(value)} may hold only A-Z a-z 0-9 . _ - and must start with a letter or digit`,
    );
  }
  return value;
}

/** True when `value` is a legal command name. */
export function isCommandName(value: unknown): value is string {
  try {
    parseCommandName(value);
    return true;
  } catch {
    return false;
  }
}
