/** Injection tokens of the retry scheduler's settings objects. */
export const REDRIVE_SETTINGS = Symbol('REDRIVE_SETTINGS');
