import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MetricsModule } from './metrics.module';
import { MetricsRegistry } from './metrics-registry';

describe('MetricsModule', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MetricsModule.forRoot({ service: 'poller' })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('serves the registry on GET /metrics in the Prometheus text format', async () => {
    app.get(MetricsRegistry).counter({ name: 'smartlink_demo_total', help: 'demo' }).inc();
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('smartlink_demo_total{service="poller"} 1');
  });
});
