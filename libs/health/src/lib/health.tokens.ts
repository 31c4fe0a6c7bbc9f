/** The readiness checks a service registered with `HealthModule.forRoot`. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
/** The checks that must pass once before the service counts as started. */
export const STARTUP_CHECKS = Symbol('STARTUP_CHECKS');
/** The shutdown deadline in ms. */
export const SHUTDOWN_DEADLINE_MS = Symbol('SHUTDOWN_DEADLINE_MS');
/** How the process is ended when the deadline passes; `process.exit` outside tests. */
export const PROCESS_EXIT = Symbol('PROCESS_EXIT');
