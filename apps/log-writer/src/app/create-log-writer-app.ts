import type { LogLevel, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { LogWriterSettings } from './log-writer-settings';
import { SHUTDOWN_SIGNALS } from '@smartlink/health';

/** Options of {@link createLogWriterApp} beyond the settings. */
export interface LogWriterAppOptions {
  /** The logger (main.ts: JSON lines), Nest log levels, or false to silence it (tests). */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/**
 * Creates the log-writer on Fastify, with shutdown hooks, not yet listening: `app.listen()` runs the start-up (topic
 * ensured, consumer in its group, purger lease joined) before it binds. On SIGTERM or `app.close()`: chunks waiting
 * for the database are handed back, the purge stops after its current statement, the consumer stops (what is not
 * committed is delivered again), the lease is left, then Kafka and the database close. main.ts and the integration
 * tests both boot through here, so they run the same app.
 */
export async function createLogWriterApp(
  settings: LogWriterSettings,
  options: LogWriterAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings),
    new FastifyAdapter(),
    { logger: options.logger ?? ['log', 'warn', 'error'] },
  );
  // SIGTERM and SIGINT only (SIGUSR2 stays free for heap snapshots); exit 0 once the shutdown hooks are done, where
  // by default Nest raises the signal again (exit code 143).
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  return app;
}
