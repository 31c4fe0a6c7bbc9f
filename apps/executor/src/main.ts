import { Logger } from '@nestjs/common';
import { createServiceLogger, parseLogSettings } from '@smartlink/common';
import { createExecutorApp } from './app/create-executor-app';
import { loadExecutorSettings } from './app/executor-settings';

/** Boots the executor: settings from the environment, validated once, then listen. */
async function bootstrap(): Promise<void> {
  const logger = createServiceLogger(parseLogSettings(process.env));
  Logger.overrideLogger(logger);
  const settings = loadExecutorSettings(process.env);
  const app = await createExecutorApp(settings, { logger });
  await app.listen(settings.http.port, settings.http.host);
  Logger.log(`executor listening on ${await app.getUrl()}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A bad setting is reported with how to fix it; either way the process must not linger half-started.
  Logger.error(error instanceof Error ? error.message : String(error), 'Bootstrap');
  process.exit(1);
});
