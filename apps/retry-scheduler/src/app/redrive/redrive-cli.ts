import { parseArgs } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import { SettingsError, type SettingsSource, SYSTEM_CLOCK } from '@smartlink/common';
import { KafkaClient } from '@smartlink/messaging';
import { openRmTables } from '@smartlink/rm-tables';
import { loadRedriveCliSettings, type RedriveCliSettings } from '../retry-scheduler-settings';
import { parseRedriveRequest } from './redrive-request';
import { Redriver } from './redriver';

/** Where the CLI writes: the result (JSON) on stdout, everything else on stderr. */
export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Exit codes: done, failed (database or broker), bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const REDRIVE_USAGE = `Puts dead messages back into execution, at REDRIVE_RATE_PER_SECOND, with a fresh attempt budget.

Usage: node dist/apps/retry-scheduler/redrive.js [filters] --by <operator> [--reason <text>] [--limit <n>]

Filters (at least one; all given must hold):
  --id <message id>     a dead message by id (repeat for several)
  --command <name>      the dead messages of one command
  --from <ISO instant>  those that died at or after this instant
  --to <ISO instant>    those that died before this instant

  --by <operator>       who asks, kept in the redriven events and logs (default: $USER)
  --reason <text>       why, for the audit trail
  --limit <n>           put back at most n (capped by REDRIVE_MAX_PER_REQUEST)

Settings come from the environment, as for the retry-scheduler: DB_*, KAFKA_*, SMARTLINK_TOPIC_NAMESPACE,
REDRIVE_RATE_PER_SECOND and REDRIVE_MAX_PER_REQUEST (no REDRIVE_HTTP_TOKEN: the CLI serves no HTTP).
Prints what was redriven as JSON on stdout.`;

/**
 * The redrive CLI: validates the options like POST /redrive does, opens the RM tables and Kafka with the
 * retry-scheduler's settings, runs the same {@link Redriver}, prints the result and closes everything. Works whether
 * or not a retry-scheduler runs; the redriven messages run once one does. Resolves with the exit code.
 */
export async function runRedriveCli(
  argv: readonly string[],
  env: SettingsSource,
  out: CliOutput,
): Promise<number> {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(argv);
  } catch (error) {
    out.stderr(`${messageOf(error)}\n\n${REDRIVE_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    out.stdout(`${REDRIVE_USAGE}\n`);
    return EXIT_OK;
  }
  const by = options.by ?? env['USER'] ?? env['USERNAME'];
  const parsed = parseRedriveRequest(
    {
      ...(options.ids.length > 0 ? { ids: options.ids } : {}),
      ...(options.command === undefined ? {} : { command: options.command }),
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      ...(options.limit === undefined ? {} : { limit: Number(options.limit) }),
      ...(by === undefined ? {} : { by }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    },
    'cli',
  );
  if (!parsed.ok) {
    out.stderr(`Invalid redrive: ${parsed.problem}\n\n${REDRIVE_USAGE}\n`);
    return EXIT_USAGE;
  }

  let settings: RedriveCliSettings;
  try {
    settings = loadRedriveCliSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    out.stderr(`${error.message}\n`);
    return EXIT_USAGE;
  }

  const logger = stderrLogger(out);
  const kafka = new KafkaClient(settings.kafka, { logger });
  const producer = kafka.createProducer();
  const admin = kafka.createAdmin();
  // The CLI never changes the schema (the services own it); it verifies it before writing.
  const tables = await openRmTables(
    { ...settings.database, schemaMode: 'verify' },
    { warn: (message) => logger.warn(message) },
  ).catch((error: unknown) => {
    out.stderr(`Could not open the RM tables: ${messageOf(error)}\n`);
    return null;
  });
  if (!tables) return EXIT_FAILED;
  try {
    await admin.ensureTopics([kafka.topics.events, kafka.topics.logs].map((name) => kafka.topicSpec(name)));
    const redriver = new Redriver({
      messages: tables.messages,
      producer,
      topics: kafka.topics,
      clock: SYSTEM_CLOCK,
      logger,
      ratePerSecond: settings.redrive.ratePerSecond,
      maxPerRequest: settings.redrive.maxPerRequest,
    });
    const result = await redriver.redrive(parsed.request);
    out.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    out.stderr(`Redrive failed: ${messageOf(error)}\n`);
    return EXIT_FAILED;
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), tables.close()]);
  }
}

function readOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      id: { type: 'string', multiple: true },
      command: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      by: { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { ...values, ids: values.id ?? [], help: values.help ?? false };
}

/** Log lines on stderr, so stdout holds only the result. */
function stderrLogger(out: CliOutput): LoggerService {
  const line = (level: string) => (message: unknown) =>
    out.stderr(`${new Date().toISOString()} ${level} ${String(message)}\n`);
  return { log: line('info'), warn: line('warn'), error: line('error'), debug: () => undefined };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
