export { SmartLinkError, isRetriable } from './lib/errors/smartlink-error';
export { SettingsError, type SettingProblem } from './lib/settings/settings-error';
export {
  parseSettings,
  numberSetting,
  booleanSetting,
  type SettingsSource,
} from './lib/settings/parse-settings';
export { MessageLimits } from './lib/limits/message-limits';
export { SecretValue } from './lib/secrets/secret-value';
export { parseHttpSettings, DEFAULT_HTTP_HOST, type HttpSettings } from './lib/settings/http-settings';
export {
  parseLifecycleSettings,
  DEFAULT_SHUTDOWN_DEADLINE_MS,
  type LifecycleSettings,
} from './lib/settings/lifecycle-settings';
export { createServiceLogger, parseLogSettings, type LogSettings } from './lib/logging/service-logger';
export {
  messageLogLine,
  isMessageLogLine,
  type MessageLogLine,
  type MessageLogFields,
} from './lib/logging/message-log-line';
export { type Clock, SYSTEM_CLOCK } from './lib/time/clock';
export { abortableDelay } from './lib/time/abortable-delay';
export { RegisteredTimers, type Timers } from './lib/time/timers';
export {
  crashPoint,
  CrashPoints,
  CRASH_POINTS,
  type CrashPointName,
  type CrashPointsOptions,
} from './lib/faults/crash-point';
export {
  KubernetesSettingsObjects,
  type KubernetesSecretKey,
} from './lib/settings/kubernetes-settings-objects';
export { tlsFailure, type TlsFailure } from './lib/tls/tls-failure';
export { pemCertificatesProblem } from './lib/tls/pem-certificates';
