import { Logger } from '@nestjs/common';
import { createServiceLogger, parseLogSettings } from '@smartlink/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app/app.module';
import { loadExampleSegmentSettings } from './app/example-segment-settings';
import { SHUTDOWN_SIGNALS } from '@smartlink/segment-sdk';

/** Boots the example segment: settings from the environment, validated once, then listen. */
async function bootstrap(): Promise<void> {
  const logger = createServiceLogger(parseLogSettings(process.env));
  Logger.overrideLogger(logger);
  const settings = loadExampleSegmentSettings(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings),
    new FastifyAdapter(),
    { logger },
  );
  // SIGTERM and SIGINT only (SIGUSR2 stays free for heap snapshots); exit 0 once the shutdown hooks are done, where
  // by default Nest raises the signal again (exit code 143).
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  await app.listen(settings.http.port, settings.http.host);
  Logger.log(`example-segment listening on ${await app.getUrl()}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A bad setting is reported with how to fix it; either way the process must not linger half-started.
  Logger.error(error instanceof Error ? error.message : String(error), 'Bootstrap');
  process.exit(1);
});
