import type { LogLevel, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { ExecutorSettings } from './executor-settings';
import { SHUTDOWN_SIGNALS } from '@smartlink/health';

/** Options of {@link createExecutorApp} beyond the settings. */
export interface ExecutorAppOptions {
  /** The logger (main.ts: JSON lines), Nest log levels, or false to silence it (tests). */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/**
 * Creates the executor on Fastify, with shutdown hooks, not yet listening: `app.listen()` runs the start-up (topics
 * ensured, consumers in their groups) before it binds. On SIGTERM or `app.close()` the consumers stop first, each
 * finishing its chunk in flight (what is not committed is redelivered), then the producer and the database close.
 * main.ts and the integration tests both boot through here, so they run the same app.
 */
export async function createExecutorApp(
  settings: ExecutorSettings,
  options: ExecutorAppOptions = {},
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
