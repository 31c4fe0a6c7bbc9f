import { SmartLinkError } from '@smartlink/common';

/**
 * The log-writer is shutting down while a chunk still waits for the database: the chunk is handed back uncommitted
 * and written by whoever consumes the partition next (this replica after a restart, or another).
 */
export class LogWriterStoppingError extends SmartLinkError {
  constructor() {
    super(
      'LOG_WRITER_STOPPING',
      'the log-writer is stopping; the chunk is left uncommitted and will be delivered again',
      true,
    );
  }
}
