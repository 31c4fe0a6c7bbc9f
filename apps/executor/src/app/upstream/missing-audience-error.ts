import { SmartLinkError } from '@smartlink/common';

/**
 * An upstream row without an audience cannot become `send/{type}/{audience}`. Never written by the executor itself;
 * a row edited by hand could hold it. Not retriable: the row must be fixed, or the message redriven after that.
 */
export class MissingAudienceError extends SmartLinkError {
  constructor(readonly messageId: string) {
    super('MISSING_AUDIENCE', `Upstream message ${messageId} has no audience to send it to`, false);
  }
}
