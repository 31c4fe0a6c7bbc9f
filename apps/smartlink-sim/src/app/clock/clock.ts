/** Time source of the simulator (epoch ms); unit tests pass a fake one. */
export interface Clock {
  now(): number;
}

/** Injection token of the {@link Clock}. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
