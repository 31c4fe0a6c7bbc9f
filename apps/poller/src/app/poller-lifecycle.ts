import type { BeforeApplicationShutdown, LoggerService, OnApplicationBootstrap } from '@nestjs/common';
import type { SmartLinkTransport } from '@smartlink/contract';
import type { ConsumerGroupLag, KafkaLease, TopicAdmin, TopicSpec } from '@smartlink/messaging';
import type { CloudSetup } from './cloud/cloud-setup';
import type { LogRedactor } from './logging/log-redactor';
import type { PollScheduler } from './poll/poll-scheduler';

/** What the poller starts at boot and stops at shutdown. */
export interface PollerLifecycleParts {
  readonly admin: Pick<TopicAdmin, 'ensureTopicsAtStartup'>;
  /** The topics the poller produces to (received events, dead letters, logs) and the event log, whose lag it reads. */
  readonly topics: readonly TopicSpec[];
  readonly lease: Pick<KafkaLease, 'start' | 'stop' | 'groupId'>;
  readonly setup: Pick<CloudSetup, 'start' | 'stop'>;
  readonly scheduler: Pick<PollScheduler, 'start' | 'stop'>;
  readonly cloud: Pick<SmartLinkTransport, 'close'>;
  readonly groupLag: Pick<ConsumerGroupLag, 'disconnect'>;
  /** How long shutdown waits for the batch in hand. */
  readonly shutdownGraceMs: number;
  /** One line at boot saying how this poller polls. */
  readonly describe: string;
  readonly logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  readonly redactor: LogRedactor;
}

/**
 * Boot: ensure the topics, join the lease group, start setup (in the background; readiness waits for it) and the
 * drains. Shutdown (SIGTERM with `enableShutdownHooks()`, or `app.close()`): stop starting drains and let the one
 * in progress finish its batch (bounded, inside Kubernetes' 20 s), then leave the lease group so a standby takes
 * over at once, and close the cloud client. Kafka's producer closes after this, in the messaging lib's own hook.
 */
export class PollerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly parts: PollerLifecycleParts) {}

  async onApplicationBootstrap(): Promise<void> {
    const { admin, topics, lease, setup, scheduler, logger } = this.parts;
    await admin.ensureTopicsAtStartup(topics);
    await lease.start();
    setup.start();
    scheduler.start();
    logger.log(`Poller started (${this.parts.describe}); lease group ${lease.groupId}`, PollerLifecycle.name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { lease, setup, scheduler, cloud, groupLag, logger, redactor, shutdownGraceMs } = this.parts;
    setup.stop();
    const finished = await scheduler.stop(shutdownGraceMs);
    if (!finished) {
      logger.warn(
        `The batch in hand did not finish within ${shutdownGraceMs} ms; whatever of it was not acked comes again`,
        PollerLifecycle.name,
      );
    }
    const results = await Promise.allSettled([lease.stop(), cloud.close(), groupLag.disconnect()]);
    for (const result of results) {
      if (result.status === 'rejected') {
        logger.warn(`Closing the poller: ${redactor.errorText(result.reason)}`, PollerLifecycle.name);
      }
    }
  }
}
