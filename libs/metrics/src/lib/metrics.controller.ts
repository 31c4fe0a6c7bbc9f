import { Controller, Get, Header, Res } from '@nestjs/common';
import { MetricsRegistry } from './metrics-registry';

/** The reply object of the HTTP adapter (Fastify or Express): what the controller needs of it. */
interface ContentTypeReply {
  header(name: string, value: string): unknown;
}

/** `GET /metrics`: the Prometheus exposition of the service's registry. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: ContentTypeReply): Promise<string> {
    reply.header('content-type', this.registry.contentType);
    return this.registry.metrics();
  }
}
