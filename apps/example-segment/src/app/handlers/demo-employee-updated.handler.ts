import { Injectable } from '@nestjs/common';
import {
  FatalSegmentError,
  OnCommand,
  type HandlerContext,
  type SegmentMessage,
} from '@smartlink/segment-sdk';
import { PoisonFaults, poisonOf } from '../faults/poison-faults';
import { SucceededMessages } from '../stats/succeeded-messages';

/**
 * `DemoEmployeeUpdated`: the data must be JSON. Data that is not JSON will not become JSON on a retry, so it is a
 * fatal error: the message is dead-lettered at once. Under the reliability suite (`SMARTLINK_FAULTS_ENABLED=true`)
 * data with `"poison"` makes the handler kill its process, hang, block the event loop or exhaust the heap.
 */
@Injectable()
export class DemoEmployeeUpdatedHandler {
  constructor(
    private readonly succeeded: SucceededMessages,
    private readonly poison: PoisonFaults,
  ) {}

  @OnCommand('DemoEmployeeUpdated')
  handle(message: SegmentMessage, { logger }: HandlerContext): Promise<never> | undefined {
    let employee: unknown;
    try {
      employee = JSON.parse(message.data);
    } catch (error) {
      throw new FatalSegmentError(`the employee data is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const struck = this.poison.strike(poisonOf(employee), `${message.id} attempt ${message.attempt}`);
    if (struck) return struck;
    const fields = employee !== null && typeof employee === 'object' ? Object.keys(employee).length : 0;
    logger.info(`employee update applied (${fields} field(s))`);
    this.succeeded.add(message.id);
    return undefined;
  }
}
