import type { LoggerService, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import type { SmartLinkTransport } from '@smartlink/contract';
import type { ShutdownGrace } from './shutdown-grace';

/** How long closing the cloud client may take at shutdown; sends abandoned by the grace may still hold sockets. */
export const CLIENT_CLOSE_TIMEOUT_MS = 2_000;

/**
 * The upstream half's part of a shutdown. When Nest starts stopping (`onModuleDestroy`, before the consumers are
 * stopped), the shutdown grace starts: the sends of the chunks in flight may finish within it. Once everything else
 * has stopped, the cloud client closes its connections, without waiting past a bound for abandoned sends.
 */
export class UpstreamLifecycle implements OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly grace: Pick<ShutdownGrace, 'begin'>,
    private readonly graceMs: number,
    private readonly cloud: Pick<SmartLinkTransport, 'close'>,
    private readonly logger: LoggerService,
  ) {}

  onModuleDestroy(): void {
    this.grace.begin(this.graceMs);
  }

  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLIENT_CLOSE_TIMEOUT_MS);
    });
    try {
      const closed = this.cloud.close().then(
        () => 'closed' as const,
        (error: unknown) => {
          this.logger.warn(`Closing the Smart Link client failed: ${String(error)}`);
          return 'closed' as const;
        },
      );
      if ((await Promise.race([closed, timeout])) === 'timeout') {
        this.logger.warn(
          `The Smart Link client did not close within ${CLIENT_CLOSE_TIMEOUT_MS} ms; going on`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
