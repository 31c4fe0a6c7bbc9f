import { SmartLinkError } from '@smartlink/common';

/** An insert into GTOTVSLINKLOG got no answer in time (a stalled connection): treated like a database outage. */
export class InsertTimeoutError extends SmartLinkError {
  constructor(readonly timeoutMs: number) {
    super('LOG_INSERT_TIMEOUT', `the insert got no answer within ${timeoutMs} ms`, true);
  }
}
