import { Logger } from '@nestjs/common';
import { createServiceLogger, parseLogSettings } from '@smartlink/common';
import { createSimApp } from './app/create-sim-app';
import { parseSimSettings } from './app/settings/sim-settings';

/** Boots the Smart Link cloud simulator: settings from the environment, validated once, then listen. */
async function bootstrap(): Promise<void> {
  const logger = createServiceLogger(parseLogSettings(process.env));
  Logger.overrideLogger(logger);
  const settings = parseSimSettings(process.env);
  const app = await createSimApp(settings, { logger });
  // Exit 0 once the shutdown hooks are done; by default Nest raises the signal again (exit code 143).
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.listen(settings.SIM_PORT, settings.SIM_HOST);
  Logger.log(`smartlink-sim listening on ${await app.getUrl()}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A bad setting is reported with how to fix it; either way the process must not linger half-started.
  Logger.error(error instanceof Error ? error.message : String(error), 'Bootstrap');
  process.exit(1);
});
