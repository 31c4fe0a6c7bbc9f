/** The readiness checks a service registered with `HealthModule.forRoot`. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
