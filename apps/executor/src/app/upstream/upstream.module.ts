import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { SmartLinkClient, createSmartLinkClient } from '@smartlink/contract';
import { EventProducer, TopicNames } from '@smartlink/messaging';
import { MessageExecStore, MessageStore } from '@smartlink/rm-tables';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { SYSTEM_CLOCK } from '@smartlink/common';
import type { ExecutorSettings } from '../executor-settings';
import { ExecutorCounters } from '../metrics/executor-counters';
import { CloudEnvelope } from './cloud-envelope';
import { CloudPause } from './cloud-pause';
import { OutboundHandler } from './outbound-handler';
import { ShutdownGrace } from './shutdown-grace';
import { UpstreamLifecycle } from './upstream-lifecycle';
import { UpstreamSender } from './upstream-sender';

/**
 * The upstream half of the executor: what segments publish becomes rows and sends to the cloud. Provides the Smart
 * Link client (one connection pool per process, closed at shutdown), the {@link UpstreamSender} (also used for
 * upstream retries) and the {@link OutboundHandler}. Needs the RM tables module and the downstream module (for the
 * counters and the attempt recorder), passed in so every module shares one instance of each.
 */
@Module({})
export class UpstreamModule {
  static forRoot(
    settings: Pick<ExecutorSettings, 'smartlink' | 'upstream'>,
    rmTables: DynamicModule,
    downstream: DynamicModule,
  ): DynamicModule {
    const { upstream } = settings;
    return {
      module: UpstreamModule,
      imports: [rmTables, downstream],
      providers: [
        { provide: SmartLinkClient, useFactory: () => createSmartLinkClient(settings.smartlink) },
        { provide: ShutdownGrace, useFactory: () => new ShutdownGrace() },
        {
          provide: UpstreamSender,
          useFactory: (
            cloud: SmartLinkClient,
            recorder: AttemptRecorder,
            grace: ShutdownGrace,
            counters: ExecutorCounters,
          ) =>
            new UpstreamSender({
              cloud,
              envelope: new CloudEnvelope(upstream.envelope, upstream.envelopeSource),
              recorder,
              pause: new CloudPause(),
              grace,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(UpstreamSender.name),
              settings: upstream,
            }),
          inject: [SmartLinkClient, AttemptRecorder, ShutdownGrace, ExecutorCounters],
        },
        {
          provide: OutboundHandler,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            cloud: SmartLinkClient,
            sender: UpstreamSender,
            producer: EventProducer,
            topics: TopicNames,
            counters: ExecutorCounters,
          ) =>
            new OutboundHandler({
              messages,
              attempts,
              cloud,
              sender,
              producer,
              topics,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(OutboundHandler.name),
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            SmartLinkClient,
            UpstreamSender,
            EventProducer,
            TopicNames,
            ExecutorCounters,
          ],
        },
        {
          provide: UpstreamLifecycle,
          useFactory: (grace: ShutdownGrace, cloud: SmartLinkClient) =>
            new UpstreamLifecycle(grace, upstream.shutdownGraceMs, cloud, new Logger(UpstreamLifecycle.name)),
          inject: [ShutdownGrace, SmartLinkClient],
        },
      ],
      exports: [UpstreamSender, OutboundHandler],
    };
  }
}
