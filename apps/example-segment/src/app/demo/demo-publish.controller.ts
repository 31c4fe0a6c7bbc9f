import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InvalidPublishError, SegmentPublisher } from '@smartlink/segment-sdk';
import { DemoPublishRequestSchema } from './demo-publish-request';

/** What `POST /demo/publish` answers: the ids of the messages published, in order. */
export interface DemoPublishResponse {
  readonly ids: string[];
}

/**
 * `POST /demo/publish {count, command?, audience?}`: publishes `count` messages of the segment's own for the cloud
 * (default command `DemoNotice`, audience `demo-app`) with the SDK's publisher, standalone, outside any handler, and
 * answers once Kafka has them. Each message's data is a small JSON document numbering it. For demos and end-to-end
 * tests; a real segment publishes from its own business events.
 */
@Controller('demo')
export class DemoPublishController {
  constructor(private readonly publisher: SegmentPublisher) {}

  @Post('publish')
  @HttpCode(200)
  async publish(@Body() body: unknown): Promise<DemoPublishResponse> {
    const parsed = DemoPublishRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BadRequestException(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const { count, command, audience } = parsed.data;
    const at = new Date().toISOString();
    try {
      const ids = await this.publisher.publishAll(
        Array.from({ length: count }, (_, i) => ({
          command,
          audience,
          data: JSON.stringify({ notice: i + 1, of: count, at }),
        })),
      );
      return { ids };
    } catch (error) {
      if (error instanceof InvalidPublishError) throw new BadRequestException(error.message);
      // Kafka could not take them: nothing is promised, the caller may try again.
      throw new ServiceUnavailableException((error as Error).message);
    }
  }
}
