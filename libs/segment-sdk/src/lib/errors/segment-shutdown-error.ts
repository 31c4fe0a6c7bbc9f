import { SmartLinkError } from '@smartlink/common';

/**
 * The segment is shutting down and its grace is over: raised inside the consumer so a chunk with messages not
 * finished in time is handed back uncommitted and Kafka delivers it again to the next member of the group; also
 * the abort reason handlers see on their signal.
 */
export class SegmentShutdownError extends SmartLinkError {
  constructor(message: string) {
    super('SEGMENT_SHUTTING_DOWN', message, true);
  }
}
