import type { LogLevel, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { RetrySchedulerSettings } from './retry-scheduler-settings';
import { SHUTDOWN_SIGNALS } from '@smartlink/health';

/** Options of {@link createRetrySchedulerApp} beyond the settings. */
export interface RetrySchedulerAppOptions {
  /** The logger (main.ts: JSON lines), Nest log levels, or false to silence it (tests). */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/**
 * Creates the retry-scheduler on Fastify, with shutdown hooks, not yet listening: `app.listen()` runs the start-up
 * (policy loaded, topics ensured, consumer in its group, loops started) before it binds. On SIGTERM or `app.close()`
 * the loops stop first (each finishing its tick), then the consumer (finishing its chunk; what is not committed is
 * redelivered), then the producer and the database close. main.ts and the integration tests both boot through here.
 */
export async function createRetrySchedulerApp(
  settings: RetrySchedulerSettings,
  options: RetrySchedulerAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings),
    new FastifyAdapter(),
    {
      logger: options.logger ?? ['log', 'warn', 'error'],
    },
  );
  // SIGTERM and SIGINT only (SIGUSR2 stays free for heap snapshots); exit 0 once the shutdown hooks are done, where
  // by default Nest raises the signal again (exit code 143).
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  return app;
}
