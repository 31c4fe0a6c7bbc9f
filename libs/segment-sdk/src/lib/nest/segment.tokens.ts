/** Injection token of the validated `SegmentSettings` that `SegmentModule` was configured with. */
export const SEGMENT_SETTINGS = Symbol('SEGMENT_SETTINGS');
/** The segment's Prometheus metrics, registered once the module is built. */
export const SEGMENT_METRICS = Symbol('SEGMENT_METRICS');
