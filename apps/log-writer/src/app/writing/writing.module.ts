import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { LogStore, RmTablesHealthIndicator } from '@smartlink/rm-tables';
import { LogWriterDefaults as D } from '../log-writer.defaults';
import type { WriterSettings } from '../log-writer-settings';
import { LogWriterCounters } from '../metrics/log-writer-counters';
import { MetricsModule } from '../metrics/metrics.module';
import { SYSTEM_CLOCK } from '@smartlink/common';
import { DatabaseWriteGate } from './database-write-gate';
import { LogBatchHandler } from './log-batch-handler';
import { LogWriterConsumer } from './log-writer-consumer';

/**
 * `<ns>.logs` → GTOTVSLINKLOG: the consumer, its handler and the gate that holds chunks while the database is down.
 * Needs the RM tables module (passed in, so the app shares one connection) and the global Kafka module. Exports the
 * consumer and the gate, for readiness.
 */
@Module({})
export class WritingModule {
  static forRoot(settings: WriterSettings, rmTables: DynamicModule): DynamicModule {
    return {
      module: WritingModule,
      imports: [rmTables, MetricsModule],
      providers: [
        {
          provide: DatabaseWriteGate,
          useFactory: (database: RmTablesHealthIndicator, counters: LogWriterCounters, topics: TopicNames) =>
            new DatabaseWriteGate({
              probe: async () =>
                (await database.isHealthy('database', { timeoutMs: D.probeTimeoutMs })).database.status ===
                'up',
              counters,
              logger: new Logger(DatabaseWriteGate.name),
              now: Date.now,
              topic: topics.logs,
              timing: {
                retryInitialMs: settings.retryInitialMs,
                retryMaxMs: settings.retryMaxMs,
                heartbeatEveryMs: D.heartbeatEveryMs,
              },
            }),
          inject: [RmTablesHealthIndicator, LogWriterCounters, TopicNames],
        },
        {
          provide: LogBatchHandler,
          useFactory: (logs: LogStore, gate: DatabaseWriteGate, counters: LogWriterCounters) =>
            new LogBatchHandler({
              logs,
              gate,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(LogBatchHandler.name),
              timing: {
                insertTimeoutMs: settings.insertTimeoutMs,
                heartbeatEveryMs: D.heartbeatEveryMs,
                shutdownGraceMs: D.shutdownGraceMs,
              },
            }),
          inject: [LogStore, DatabaseWriteGate, LogWriterCounters],
        },
        {
          provide: LogWriterConsumer,
          useFactory: (
            client: KafkaClient,
            admin: TopicAdmin,
            handler: LogBatchHandler,
            gate: DatabaseWriteGate,
          ) =>
            new LogWriterConsumer({
              client,
              admin,
              handler,
              gate,
              settings,
              logger: new Logger(LogWriterConsumer.name),
            }),
          inject: [KafkaClient, TopicAdmin, LogBatchHandler, DatabaseWriteGate],
        },
      ],
      exports: [LogWriterConsumer, DatabaseWriteGate],
    };
  }
}
