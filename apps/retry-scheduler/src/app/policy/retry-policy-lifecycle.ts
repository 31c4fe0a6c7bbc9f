import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { RetryPolicyLoader } from '@smartlink/retry-policy';

/** Loads the retry policy before anything consumes or claims (module init), refreshes it, stops at shutdown. */
export class RetryPolicyLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly loader: Pick<RetryPolicyLoader, 'load' | 'start' | 'stop'>) {}

  async onModuleInit(): Promise<void> {
    await this.loader.load();
    this.loader.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loader.stop();
  }
}
