import { SmartLinkError } from '@smartlink/common';

/**
 * The segment is wired wrongly: an illegal command name, two handlers for one command, no handler at all, a
 * registration after start. Raised during start-up, so the app stops with the reason instead of running half
 * subscribed. Not retriable: the code has to change.
 */
export class SegmentConfigurationError extends SmartLinkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SEGMENT_CONFIGURATION', message, false, options);
  }
}
