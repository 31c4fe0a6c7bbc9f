import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { z } from 'zod';
import { parseSettings, type SettingsSource } from '../settings/parse-settings';
import { isMessageLogLine } from './message-log-line';

const LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const satisfies readonly LogLevel[];

/** How a service writes its own log lines to stdout. */
export interface LogSettings {
  /** `json`: one JSON object per line, for log collectors (the default); `text`: Nest's coloured lines, for people. */
  readonly format: 'json' | 'text';
  /** The least severe level written. */
  readonly level: LogLevel;
}

const schema = z.object({
  LOG_FORMAT: z
    .preprocess((v) => (v === '' ? undefined : v), z.enum(['json', 'text']).default('json'))
    .describe('json (one object per line, the default) or text'),
  LOG_LEVEL: z
    .preprocess((v) => (v === '' ? undefined : v), z.enum(LEVELS).default('log'))
    .describe(`one of ${LEVELS.join(', ')}`),
});

/** Reads LOG_FORMAT and LOG_LEVEL. */
export function parseLogSettings(env: SettingsSource): LogSettings {
  const parsed = parseSettings('logging', schema, env);
  return { format: parsed.LOG_FORMAT, level: parsed.LOG_LEVEL };
}

/**
 * The logger every service gives Nest: JSON lines on stdout by default (Nest's own JSON format: level, pid,
 * timestamp, context, message), so a platform's log collector parses them without rules. A line about a message
 * (`messageLogLine`) carries `messageId`, `command`, `attempt` and `correlationId` as fields of their own; in text
 * format they follow the text in brackets.
 */
export function createServiceLogger(settings: LogSettings): ConsoleLogger {
  const levels = LEVELS.slice(0, LEVELS.indexOf(settings.level as (typeof LEVELS)[number]) + 1);
  return settings.format === 'json'
    ? new ServiceLogger({ json: true, colors: false, logLevels: levels })
    : new ServiceLogger({ logLevels: levels });
}

/** Nest's console logger, writing the fields of message log lines apart. */
class ServiceLogger extends ConsoleLogger {
  constructor(options: ConsoleLoggerOptions) {
    super(options);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const base = super.getJsonLogObject(message, options);
    return isMessageLogLine(message) ? { ...base, ...message } : base;
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    if (!isMessageLogLine(message)) return super.stringifyMessage(message, logLevel);
    const { message: text, ...fields } = message;
    const tags = Object.entries(fields)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    return super.stringifyMessage(`${text} [${tags}]`, logLevel);
  }
}
