import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerGroupLag } from '../admin/consumer-group-lag';
import { TopicAdmin } from '../admin/topic-admin';
import { KafkaClient } from '../client/kafka-client';
import { EventProducer } from '../producer/event-producer';
import type { KafkaSettings } from '../settings/kafka-settings';
import { TopicNames } from '../topics/topic-names';
import { KafkaHealthIndicator } from './kafka.health';
import { KafkaLifecycle } from './kafka-lifecycle';
import { KAFKA_SETTINGS } from './kafka.tokens';

/** Settings from other providers, e.g. a config service. */
export interface KafkaModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: FactoryProvider<KafkaSettings | Promise<KafkaSettings>>['useFactory'];
}

const EXPORTS = [
  KAFKA_SETTINGS,
  KafkaClient,
  TopicNames,
  EventProducer,
  TopicAdmin,
  ConsumerGroupLag,
  KafkaHealthIndicator,
];

/**
 * Kafka for a Nest app: provides the `KafkaClient` (create consumers with it), `TopicNames`, a connected
 * `EventProducer`, `TopicAdmin`, `ConsumerGroupLag` (for lag metrics; connects on first read) and
 * `KafkaHealthIndicator`. The producer connects during module init, so a cluster still unreachable after
 * KAFKA_STARTUP_RETRY_MS fails start-up; consumers, producer and admin are closed on shutdown (`app.close()` or,
 * with `enableShutdownHooks()`, SIGTERM). Global: import it once, in the app module.
 *
 * @example
 * KafkaModule.forRoot(parseKafkaSettings(process.env))
 */
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return KafkaModule.create([], { provide: KAFKA_SETTINGS, useValue: settings });
  }

  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return KafkaModule.create(options.imports ?? [], {
      provide: KAFKA_SETTINGS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    });
  }

  private static create(imports: NonNullable<ModuleMetadata['imports']>, settings: Provider): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports,
      providers: [
        settings,
        {
          provide: KafkaClient,
          useFactory: (s: KafkaSettings) => new KafkaClient(s),
          inject: [KAFKA_SETTINGS],
        },
        { provide: TopicNames, useFactory: (client: KafkaClient) => client.topics, inject: [KafkaClient] },
        {
          provide: EventProducer,
          useFactory: (client: KafkaClient) => client.createProducer(),
          inject: [KafkaClient],
        },
        {
          provide: TopicAdmin,
          useFactory: (client: KafkaClient) => client.createAdmin(),
          inject: [KafkaClient],
        },
        {
          provide: ConsumerGroupLag,
          useFactory: (client: KafkaClient) => client.createGroupLag(),
          inject: [KafkaClient],
        },
        // Stateless helper from terminus, provided here so the indicator works without TerminusModule in scope.
        HealthIndicatorService,
        KafkaHealthIndicator,
        KafkaLifecycle,
      ],
      exports: EXPORTS,
    };
  }
}
