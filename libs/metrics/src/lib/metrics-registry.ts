import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { MetricNameError } from './metric-name-error';
import { SharedGauge, type SharedGaugeConfiguration } from './shared-gauge';

/** Our own metrics are named `smartlink_...`, in snake case; counters end in `_total`. */
const OWN_NAME = /^smartlink_[a-z][a-z0-9_]*$/;

/** What {@link MetricsRegistry} is created with. */
export interface MetricsRegistryOptions {
  /** The `service` label on every series, e.g. `executor` or `segment:hr`. */
  readonly service: string;
  /** False leaves out the process and Node.js metrics (CPU, memory, GC, event-loop lag). Default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The Prometheus registry of one service: its own, not prom-client's global one, so two apps in one test process
 * do not share series. Holds the process and Node.js default metrics (among them `nodejs_eventloop_lag_seconds`),
 * and every series carries a `service` label. Create metrics through it so their names are checked.
 */
export class MetricsRegistry {
  private readonly registry = new Registry();

  constructor(readonly options: MetricsRegistryOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** A counter; its name must be `smartlink_..._total`. */
  counter<L extends string = string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    checkName(config.name, '_total');
    return new Counter<L>({ ...config, registers: [this.registry] });
  }

  /** A gauge; `collect` may be async (e.g. a cached database read). */
  gauge<L extends string = string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    checkName(config.name);
    return new Gauge<L>({ ...config, registers: [this.registry] });
  }

  /**
   * A gauge of something all replicas see alike (a table, a consumer group), exported only while `reporting()` is
   * true, so that `sum()` over replicas counts it once. See {@link SharedGauge}.
   *
   * @example
   * registry.sharedGauge({ name: 'smartlink_pending_messages', help: '...', reporting: () => lease.isHeld() })
   */
  sharedGauge<L extends string = string>(config: SharedGaugeConfiguration<L>): SharedGauge<L> {
    checkName(config.name);
    return new SharedGauge<L>({ ...config, registers: [this.registry] });
  }

  /** A histogram; name it after its unit, e.g. `smartlink_critical_time_seconds`. */
  histogram<L extends string = string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    checkName(config.name);
    return new Histogram<L>({ ...config, registers: [this.registry] });
  }

  /** The exposition text Prometheus scrapes. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The current value of one series, for tests and the stats endpoints; undefined when it has none. */
  async value(name: string, labels: Readonly<Record<string, string>> = {}): Promise<number | undefined> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return undefined;
    const { values } = await metric.get();
    const found = values.find((v) =>
      Object.entries(labels).every(([key, expected]) => String(v.labels[key]) === expected),
    );
    return found?.value;
  }
}

function checkName(name: string, suffix?: string): void {
  if (!OWN_NAME.test(name) || (suffix !== undefined && !name.endsWith(suffix))) {
    throw new MetricNameError(name, suffix);
  }
}
