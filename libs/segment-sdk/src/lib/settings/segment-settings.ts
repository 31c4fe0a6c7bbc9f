import {
  DEFAULT_SHUTDOWN_DEADLINE_MS,
  numberSetting,
  parseLifecycleSettings,
  parseSettings,
  SettingsError,
  type SettingsSource,
} from '@smartlink/common';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { z } from 'zod';
import {
  MAX_SEGMENT_NAME_LENGTH,
  SEGMENT_NAME_PATTERN,
  SegmentDefaults,
  SegmentLimits,
} from './segment-defaults';

/** Everything the segment runtime needs, validated. */
export interface SegmentSettings {
  /** The segment's name (`hr`, `finance`...): its consumer group is `<ns>.segment.<name>`, its logs' source `segment:<name>`. */
  readonly segment: string;
  readonly kafka: KafkaSettings;
  /** A handler still running after this many milliseconds ends its attempt as failed ("handler timed out"). */
  readonly handlerTimeoutMs: number;
  /** At most this many handlers run at once in this instance. */
  readonly concurrency: number;
  /**
   * At most this many records wait admitted ahead of a free slot (marked started, offset committed); fewer when the
   * handlers are slow. 0 starts records only on free slots. A process that dies charges each one attempt.
   */
  readonly lookahead: number;
  /** At most this many messages per chunk; a chunk's outcomes are sent together and then committed. */
  readonly maxBatchSize: number;
  /** How many finished (message id, attempt) pairs are remembered to absorb redeliveries; 0 turns that off. */
  readonly dedupCapacity: number;
  /** On shutdown, how long handlers in flight may still finish before their messages are handed back. */
  readonly shutdownGraceMs: number;
  /**
   * Hard limit on the whole shutdown after SIGTERM (SHUTDOWN_DEADLINE_MS, default 20 s): past it the process logs what
   * was still open and exits with code 1. Keep it above `shutdownGraceMs`.
   */
  readonly shutdownDeadlineMs: number;
  /** Largest `data` of a message published for the cloud, in UTF-8 bytes; larger ones are refused before sending. */
  readonly maxPublishBytes: number;
  /**
   * Added to `handlerTimeoutMs` for the outcome due time a started marker announces; past it the retry scheduler
   * records the attempt as lost during the handler.
   */
  readonly outcomeMarginMs: number;
}

/** Options of `SegmentModule.forRoot`: the segment name and Kafka settings; everything else has a default. */
export type SegmentModuleOptions = Pick<SegmentSettings, 'segment' | 'kafka'> &
  Partial<Omit<SegmentSettings, 'segment' | 'kafka'>>;

const segmentName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(MAX_SEGMENT_NAME_LENGTH)
  .regex(SEGMENT_NAME_PATTERN, 'may hold only A-Z a-z 0-9 . _ - and must start with a letter or digit');
const SEGMENT_NAME_HINT = `the segment's name, e.g. hr: 1-${MAX_SEGMENT_NAME_LENGTH} characters of A-Z a-z 0-9 . _ -`;

const envSetting = (key: keyof typeof SegmentLimits, what: string) => {
  const { min, max } = SegmentLimits[key];
  return numberSetting({ min, max, default: SegmentDefaults[key] }).describe(`${what}, ${min}-${max}`);
};

const segmentEnvSchema = z.object({
  SEGMENT_NAME: z.preprocess((v) => (v === '' ? undefined : v), segmentName).describe(SEGMENT_NAME_HINT),
  SEGMENT_HANDLER_TIMEOUT_MS: envSetting('handlerTimeoutMs', 'milliseconds a handler may run'),
  SEGMENT_CONCURRENCY: envSetting('concurrency', 'handlers running at once'),
  SEGMENT_LOOKAHEAD: envSetting('lookahead', 'records admitted ahead of a free handler slot'),
  SEGMENT_MAX_BATCH_SIZE: envSetting('maxBatchSize', 'messages per chunk'),
  SEGMENT_DEDUP_CAPACITY: envSetting('dedupCapacity', 'finished attempts remembered for deduplication'),
  SEGMENT_SHUTDOWN_GRACE_MS: envSetting('shutdownGraceMs', 'milliseconds handlers may finish at shutdown'),
  SEGMENT_MAX_PUBLISH_BYTES: envSetting('maxPublishBytes', 'bytes of data per published message'),
  SEGMENT_OUTCOME_MARGIN_MS: envSetting(
    'outcomeMarginMs',
    'milliseconds to deliver an outcome after the handler timeout',
  ),
});

const bounded = (key: keyof typeof SegmentLimits) =>
  z.number().int().min(SegmentLimits[key].min).max(SegmentLimits[key].max).default(SegmentDefaults[key]);

const optionsSchema = z.object({
  segment: segmentName,
  handlerTimeoutMs: bounded('handlerTimeoutMs'),
  concurrency: bounded('concurrency'),
  lookahead: bounded('lookahead'),
  maxBatchSize: bounded('maxBatchSize'),
  dedupCapacity: bounded('dedupCapacity'),
  shutdownGraceMs: bounded('shutdownGraceMs'),
  shutdownDeadlineMs: z.number().int().min(1_000).max(600_000).default(DEFAULT_SHUTDOWN_DEADLINE_MS),
  maxPublishBytes: bounded('maxPublishBytes'),
  outcomeMarginMs: bounded('outcomeMarginMs'),
});

/**
 * Reads the segment settings from an environment-like object (apps pass `process.env`) once, at boot: SEGMENT_NAME
 * (required unless `defaults.segment` is given), SEGMENT_HANDLER_TIMEOUT_MS, SEGMENT_CONCURRENCY, SEGMENT_LOOKAHEAD,
 * SEGMENT_MAX_BATCH_SIZE, SEGMENT_DEDUP_CAPACITY, SEGMENT_SHUTDOWN_GRACE_MS, SEGMENT_MAX_PUBLISH_BYTES, SEGMENT_OUTCOME_MARGIN_MS, and the Kafka variables
 * (`KAFKA_BROKERS`, `SMARTLINK_TOPIC_NAMESPACE`...). Throws a `SettingsError` naming every bad variable and how to
 * fix it.
 */
export function parseSegmentSettings(
  env: SettingsSource,
  defaults: { segment?: string } = {},
): SegmentSettings {
  const s = parseSettings('segment', segmentEnvSchema, {
    ...env,
    SEGMENT_NAME: env['SEGMENT_NAME'] || defaults.segment,
  });
  return {
    segment: s.SEGMENT_NAME,
    kafka: parseKafkaSettings(env),
    handlerTimeoutMs: s.SEGMENT_HANDLER_TIMEOUT_MS,
    concurrency: s.SEGMENT_CONCURRENCY,
    lookahead: s.SEGMENT_LOOKAHEAD,
    maxBatchSize: s.SEGMENT_MAX_BATCH_SIZE,
    dedupCapacity: s.SEGMENT_DEDUP_CAPACITY,
    shutdownGraceMs: s.SEGMENT_SHUTDOWN_GRACE_MS,
    shutdownDeadlineMs: parseLifecycleSettings('segment', env).shutdownDeadlineMs,
    maxPublishBytes: s.SEGMENT_MAX_PUBLISH_BYTES,
    outcomeMarginMs: s.SEGMENT_OUTCOME_MARGIN_MS,
  };
}

/** Fills in defaults and validates `SegmentModule.forRoot` options; throws a `SettingsError` on a bad value. */
export function resolveSegmentSettings(options: SegmentModuleOptions): SegmentSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new SettingsError(
      'SegmentModule.forRoot',
      parsed.error.issues.map((issue) => ({
        key: issue.path.map(String).join('.') || '(options)',
        problem: issue.message,
        ...(issue.path[0] === 'segment' && { hint: SEGMENT_NAME_HINT }),
      })),
    );
  }
  return { ...parsed.data, kafka: options.kafka };
}
