import type { HandlerContext } from './handler-context';
import type { SegmentMessage } from './segment-message';

/**
 * Executes one message of one command. Returning (or resolving) reports success; throwing (or rejecting) with any
 * error reports a retryable failure, and the retry policy plans the next attempt; throwing `FatalSegmentError`
 * dead-letters the message at once. The return value is ignored.
 */
export type CommandHandler = (message: SegmentMessage, context: HandlerContext) => unknown;
