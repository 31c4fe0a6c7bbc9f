import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel, LoggerService } from '@nestjs/common';
import { AppModule } from './app.module';
import type { Clock } from './clock/clock';
import type { SimSettings } from './settings/sim-settings';

/** Options of {@link createSimApp} beyond the settings. */
export interface SimAppOptions {
  /** The logger (main.ts: JSON lines), Nest log levels, or false to silence it (tests). */
  readonly logger?: LoggerService | LogLevel[] | false;
  readonly clock?: Clock;
}

/**
 * Creates the simulator on Fastify, not yet listening. The body limit is set on the adapter because Fastify
 * fixes it at creation; raw bodies are kept so sends are recorded exactly as received. main.ts and the
 * integration tests both boot through here, so they run the same app.
 */
export function createSimApp(
  settings: SimSettings,
  options: SimAppOptions = {},
): Promise<NestFastifyApplication> {
  return NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings, options.clock),
    new FastifyAdapter({ bodyLimit: settings.SIM_MAX_BODY_BYTES }),
    { rawBody: true, logger: options.logger ?? ['log', 'warn', 'error'] },
  );
}
