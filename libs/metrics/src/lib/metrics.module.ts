import { Module, type DynamicModule } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry, type MetricsRegistryOptions } from './metrics-registry';

/**
 * Prometheus for a service: `GET /metrics` on its HTTP port and a global {@link MetricsRegistry} to create the
 * service's own metrics with. Import it once, in the app module.
 *
 * @example
 * MetricsModule.forRoot({ service: 'executor' })
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsRegistryOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: MetricsRegistry, useFactory: () => new MetricsRegistry(options) }],
      exports: [MetricsRegistry],
    };
  }
}
