import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { SecretValue } from '@smartlink/common';
import { createSmartLinkClient, type SmartLinkTransport } from '@smartlink/contract';
import {
  ConsumerGroupLag,
  EventProducer,
  KafkaClient,
  KafkaLease,
  TopicAdmin,
  TopicNames,
} from '@smartlink/messaging';
import { MessageStore } from '@smartlink/rm-tables';
import { BacklogReader, executorEventsGroup } from './backlog/backlog-reader';
import { Backpressure } from './backlog/backpressure';
import { CloudSetup } from './cloud/cloud-setup';
import { QueueDrainer } from './drain/queue-drainer';
import { LogRedactor } from './logging/log-redactor';
import { PollScheduler } from './poll/poll-scheduler';
import { RegisteredTimers, type Timers } from '@smartlink/common';
import { PollerDefaults as D } from './poller.defaults';
import { PollerLifecycle } from './poller-lifecycle';
import type { PollerSettings } from './poller-settings';
import { PollerStatus } from './poller-status';
import { POLLER_TIMERS, SMARTLINK_TRANSPORT } from './poller.tokens';

// Every line the poller writes names its own context; a logger without a fixed one.
const logger = new Logger();

/**
 * The poller's own providers: the cloud client, the lease, the backlog gate, the drainer, setup, the scheduler
 * and their lifecycle. Plain classes built here from the settings, so each one is unit-tested with `new`.
 * Needs the RM tables module (for the undone count) and the global Kafka and schedule modules.
 */
@Module({})
export class PollerModule {
  static forRoot(settings: PollerSettings, database: DynamicModule): DynamicModule {
    const { poll } = settings;
    const providers: Provider[] = [
      {
        provide: LogRedactor,
        useFactory: () => new LogRedactor(secretsOf(settings)),
      },
      {
        provide: SMARTLINK_TRANSPORT,
        useFactory: (): SmartLinkTransport => createSmartLinkClient(settings.smartlink),
      },
      {
        provide: KafkaLease,
        useFactory: (client: KafkaClient) =>
          client.createLease('poller', { sessionTimeoutMs: poll.leaseSessionTimeoutMs }),
        inject: [KafkaClient],
      },
      {
        provide: ConsumerGroupLag,
        useFactory: (client: KafkaClient) => client.createGroupLag(),
        inject: [KafkaClient],
      },
      { provide: PollerStatus, useFactory: () => new PollerStatus() },
      {
        provide: POLLER_TIMERS,
        useFactory: (registry: SchedulerRegistry): Timers => new RegisteredTimers(registry),
        inject: [SchedulerRegistry],
      },
      {
        provide: Backpressure,
        useFactory: (
          messages: MessageStore,
          lag: ConsumerGroupLag,
          topics: TopicNames,
          redactor: LogRedactor,
        ) =>
          new Backpressure(
            new BacklogReader(messages, lag, executorEventsGroup(topics.namespace), [
              topics.received,
              topics.events,
            ]),
            { highWater: poll.backlogHighWater, refreshMs: D.backlogRefreshMs },
            Date.now,
            logger,
            redactor,
          ),
        inject: [MessageStore, ConsumerGroupLag, TopicNames, LogRedactor],
      },
      {
        provide: QueueDrainer,
        useFactory: (
          cloud: SmartLinkTransport,
          producer: EventProducer,
          backpressure: Backpressure,
          status: PollerStatus,
          topics: TopicNames,
          redactor: LogRedactor,
        ) =>
          new QueueDrainer(
            { cloud, producer, backpressure, status, now: Date.now, logger, redactor },
            {
              batchSize: poll.batchSize,
              topics,
              maxRecordBytes: D.maxRecordBytes,
              maxSendBytes: D.maxSendBytes,
            },
          ),
        inject: [SMARTLINK_TRANSPORT, EventProducer, Backpressure, PollerStatus, TopicNames, LogRedactor],
      },
      {
        provide: CloudSetup,
        useFactory: (cloud: SmartLinkTransport, timers: Timers, redactor: LogRedactor) =>
          new CloudSetup({ cloud, timers, logger, redactor }, poll.subscriptions, retryTiming()),
        inject: [SMARTLINK_TRANSPORT, POLLER_TIMERS, LogRedactor],
      },
      {
        provide: PollScheduler,
        useFactory: (
          drainer: QueueDrainer,
          lease: KafkaLease,
          setup: CloudSetup,
          timers: Timers,
          redactor: LogRedactor,
        ) =>
          new PollScheduler(
            { drainer, lease, setup, timers, now: Date.now, logger, redactor },
            {
              continuous: poll.continuous,
              intervalMs: poll.intervalMs,
              idleDelayMs: poll.idleDelayMs,
              ...retryTiming(),
            },
          ),
        inject: [QueueDrainer, KafkaLease, CloudSetup, POLLER_TIMERS, LogRedactor],
      },
      {
        provide: PollerLifecycle,
        useFactory: (
          client: KafkaClient,
          admin: TopicAdmin,
          lease: KafkaLease,
          setup: CloudSetup,
          scheduler: PollScheduler,
          cloud: SmartLinkTransport,
          groupLag: ConsumerGroupLag,
          redactor: LogRedactor,
        ) =>
          new PollerLifecycle({
            admin,
            // It produces to the first three and reads the executor's lag on the first and the last.
            topics: [
              client.topics.received,
              client.topics.deadletter,
              client.topics.logs,
              client.topics.events,
            ].map((name) => client.topicSpec(name)),
            lease,
            setup,
            scheduler,
            cloud,
            groupLag,
            shutdownGraceMs: D.shutdownGraceMs,
            describe: poll.continuous
              ? `continuous, ${poll.idleDelayMs} ms idle delay, batches of ${poll.batchSize}`
              : `every ${poll.intervalMs} ms, batches of ${poll.batchSize}`,
            logger,
            redactor,
          }),
        inject: [
          KafkaClient,
          TopicAdmin,
          KafkaLease,
          CloudSetup,
          PollScheduler,
          SMARTLINK_TRANSPORT,
          ConsumerGroupLag,
          LogRedactor,
        ],
      },
    ];
    return {
      module: PollerModule,
      imports: [database],
      providers,
      exports: [CloudSetup, KafkaLease, PollerStatus, Backpressure],
    };
  }
}

function retryTiming() {
  return { retryInitialMs: D.retryInitialMs, retryMaxMs: D.retryMaxMs };
}

/** Every secret in the settings, so no log line of the poller can carry one. */
function secretsOf(settings: PollerSettings): SecretValue[] {
  const secrets = [settings.smartlink.SMARTLINK_CLIENT_SECRET];
  if (settings.kafka.sasl) secrets.push(settings.kafka.sasl.password);
  if (settings.database.type !== 'sqlite' && settings.database.password)
    secrets.push(settings.database.password);
  return secrets;
}
