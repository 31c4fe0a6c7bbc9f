/** Injection token of the validated `SegmentSettings` that `SegmentModule` was configured with. */
export const SEGMENT_SETTINGS = Symbol('SEGMENT_SETTINGS');
