import { SmartLinkError } from '@smartlink/common';

/** A `BatchConsumer` was configured or driven wrongly (a programming error). Never retriable. */
export class BatchConsumerUsageError extends SmartLinkError {
  constructor(problem: string) {
    super('BATCH_CONSUMER_MISUSE', `BatchConsumer misuse: ${problem}`, false);
  }
}
