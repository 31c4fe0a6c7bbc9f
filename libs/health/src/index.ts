export { HealthModule, type HealthModuleOptions } from './lib/health.module';
export { flagCheck } from './lib/flag-check';
export { ServicePhase } from './lib/service-phase';
export { SHUTDOWN_SIGNALS, ShutdownDeadline, type ProcessExit } from './lib/shutdown-deadline';
