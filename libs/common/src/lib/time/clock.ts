/** A time source; services take it as a dependency so tests pass fixed instants. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
