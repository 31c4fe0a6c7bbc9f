import { Injectable } from '@nestjs/common';
import { OnCommand, type HandlerContext, type SegmentMessage } from '@smartlink/segment-sdk';
import { SucceededMessages } from '../stats/succeeded-messages';

/** The command and audience of the reply to a `DemoPing`. */
export const DEMO_PONG = { command: 'DemoPong', audience: 'demo-app' } as const;

/**
 * `DemoPing`: logs, replies with a `DemoPong` for the app `demo-app` (correlated to the ping, echoing its data) and
 * succeeds. The reply goes out with the outcome; a retry of the same ping replies under the same id.
 */
@Injectable()
export class DemoPingHandler {
  constructor(private readonly succeeded: SucceededMessages) {}

  @OnCommand('DemoPing')
  handle(message: SegmentMessage, { logger, reply }: HandlerContext): void {
    logger.info(`pong (attempt ${message.attempt}, tenant ${message.tenantId ?? 'none'})`);
    reply({ ...DEMO_PONG, data: JSON.stringify({ pong: message.id, echo: echoOf(message.data) }) });
    this.succeeded.add(message.id);
  }
}

/** The ping's data as JSON when it is JSON, else as text. */
function echoOf(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
