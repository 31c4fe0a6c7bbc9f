import { SmartLinkError } from '@smartlink/common';

/**
 * A retry policy document was refused: not JSON, or a field breaks the schema. Not retriable: the same document
 * will be refused again until someone fixes it; the policy in force stays.
 */
export class InvalidRetryPolicyError extends SmartLinkError {
  constructor(
    /** Where the document came from, safe to log (a URL without its query). */
    readonly origin: string,
    /** What is wrong, naming the field. */
    readonly problem: string,
  ) {
    super('INVALID_RETRY_POLICY', `The retry policy from ${origin} is refused: ${problem}`, false);
  }
}
