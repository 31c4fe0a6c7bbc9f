// Wiring
export { SegmentModule } from './lib/nest/segment.module';
export { SEGMENT_SETTINGS } from './lib/nest/segment.tokens';
export {
  parseSegmentSettings,
  type SegmentSettings,
  type SegmentModuleOptions,
} from './lib/settings/segment-settings';
export { SegmentDefaults, SegmentLimits, MAX_SEGMENT_NAME_LENGTH } from './lib/settings/segment-defaults';

// Handlers
export { OnCommand } from './lib/handler/on-command.decorator';
export { CommandRegistry } from './lib/handler/command-registry';
export type { CommandHandler } from './lib/handler/command-handler';
export type { SegmentMessage } from './lib/handler/segment-message';
export type { HandlerContext } from './lib/handler/handler-context';
export type { SegmentLogger } from './lib/logging/segment-logger';

// Publishing messages for the cloud
export { SegmentPublisher } from './lib/publishing/segment-publisher';
export type { PublishInput, ReplyInput, StandalonePublishInput } from './lib/publishing/publish-input';

// Errors (decide from `code` and `retriable`)
export { FatalSegmentError } from './lib/errors/fatal-segment-error';
export { SegmentConfigurationError } from './lib/errors/segment-configuration-error';
export { HandlerTimeoutError } from './lib/errors/handler-timeout-error';
export { SegmentShutdownError } from './lib/errors/segment-shutdown-error';
export { InvalidPublishError } from './lib/errors/invalid-publish-error';
export { AttemptEndedError } from './lib/errors/attempt-ended-error';

// Observability
export { SegmentStats, type SegmentStatsSnapshot, type OutcomeCounts } from './lib/stats/segment-stats';
export { SegmentHealthIndicator } from './lib/health/segment.health';
/** Give them to `app.enableShutdownHooks`: SIGTERM and SIGINT, not SIGUSR2 (heap snapshots). */
export { SHUTDOWN_SIGNALS } from '@smartlink/health';
export { segmentGroupId } from './lib/runtime/segment-runtime';
