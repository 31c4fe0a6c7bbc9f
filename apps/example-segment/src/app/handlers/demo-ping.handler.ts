import { Injectable } from '@nestjs/common';
import { OnCommand, type HandlerContext, type SegmentMessage } from '@smartlink/segment-sdk';
import { SucceededMessages } from '../stats/succeeded-messages';

/** `DemoPing`: logs and succeeds. The smallest handler there is. */
@Injectable()
export class DemoPingHandler {
  constructor(private readonly succeeded: SucceededMessages) {}

  @OnCommand('DemoPing')
  handle(message: SegmentMessage, { logger }: HandlerContext): void {
    logger.info(`pong (attempt ${message.attempt}, tenant ${message.tenantId ?? 'none'})`);
    this.succeeded.add(message.id);
  }
}
