import { SmartLinkError } from '@smartlink/common';

/**
 * The cloud answered a send with 2xx and the JSON literal `false`, which the Protheus GRR client treats as a
 * refused send (smartlink-domain.md §1.5, [C P1]). Not retriable: the same message would be refused again.
 */
export class SendRejectedError extends SmartLinkError {
  constructor(
    readonly type: string,
    readonly audience: string,
  ) {
    super('SEND_REJECTED', `Smart Link refused the ${type} message for ${audience}`, false);
  }
}
