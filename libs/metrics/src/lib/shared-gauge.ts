import { Gauge, type GaugeConfiguration } from 'prom-client';

/** What a {@link SharedGauge} is created with: a gauge's configuration and who reports it. */
export interface SharedGaugeConfiguration<L extends string> extends Omit<GaugeConfiguration<L>, 'registers'> {
  /** True while this replica is the one that reports the gauge (e.g. it holds a lease); asked at every scrape. */
  readonly reporting: () => boolean;
}

/**
 * A gauge that describes something every replica sees alike — a table, a consumer group — exported by one replica
 * only, so that `sum()` over replicas counts it once. A replica not reporting exports the metric's HELP and TYPE
 * lines and no sample, and skips `collect` (no query). Create one with `MetricsRegistry.sharedGauge`.
 */
export class SharedGauge<L extends string = string> extends Gauge<L> {
  private readonly reporting: () => boolean;
  /** The answer of `reporting()` for the scrape in progress, so `collect` and the result agree. */
  private reportingNow = false;

  constructor(config: SharedGaugeConfiguration<L> & Pick<GaugeConfiguration<L>, 'registers'>) {
    const { reporting, collect, ...gauge } = config;
    super({
      ...gauge,
      // prom-client calls collect on the gauge itself.
      collect(this: Gauge<L>) {
        return (this as SharedGauge<L>).reportingNow ? collect?.call(this) : undefined;
      },
    });
    this.reporting = reporting;
  }

  override async get(): ReturnType<Gauge<L>['get']> {
    this.reportingNow = this.reporting();
    if (!this.reportingNow) this.reset();
    const metric = await super.get();
    return this.reportingNow ? metric : { ...metric, values: [] };
  }
}
