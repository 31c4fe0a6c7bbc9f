export { MetricsModule } from './lib/metrics.module';
export { MetricsRegistry, type MetricsRegistryOptions } from './lib/metrics-registry';
export { MetricNameError } from './lib/metric-name-error';
export { exposeCounters, type CounterMetric } from './lib/counter-metrics';
export {
  registerConsumerLag,
  DEFAULT_LAG_CACHE_MS,
  type ConsumerLagSource,
  type GroupMember,
  type TopicPartitions,
} from './lib/consumer-lag-metric';
export { SharedGauge, type SharedGaugeConfiguration } from './lib/shared-gauge';
export { CachedRead } from './lib/cached-read';
export type { Counter, Gauge, Histogram } from 'prom-client';
