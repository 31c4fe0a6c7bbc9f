import type { MetricsRegistry } from './metrics-registry';

/** Name and help text of the Prometheus counter that shows one field of a service's counters. */
export interface CounterMetric {
  /** `smartlink_..._total`. */
  readonly name: string;
  readonly help: string;
}

/** The numeric fields of a counters object. */
type CountField<C> = { [F in keyof C]: C[F] extends number ? F : never }[keyof C] & string;

/**
 * Shows counters a service keeps anyway (its `/stats` numbers) as Prometheus counters, read at scrape time, so
 * nothing is counted twice. `metrics` must name every numeric field of `read()`'s result: a metric, or `null` for a
 * field that is not a counter (e.g. a maximum) and stays on `/stats` only. The compiler keeps the two in step.
 *
 * @example
 * exposeCounters(registry, () => counters, { received: { name: 'smartlink_executor_received_total', help: '...' } })
 */
export function exposeCounters<C extends object>(
  registry: MetricsRegistry,
  read: () => C,
  metrics: { readonly [F in CountField<C>]: CounterMetric | null },
): void {
  for (const [field, metric] of Object.entries(metrics) as [CountField<C>, CounterMetric | null][]) {
    if (!metric) continue;
    const { name, help } = metric;
    registry.counter({
      name,
      help,
      collect() {
        this.reset();
        this.inc(read()[field] as number);
      },
    });
  }
}
