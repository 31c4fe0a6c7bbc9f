import { grafanaQueryAsPromql, promqlSelectors } from './promql-selectors';

describe('promqlSelectors', () => {
  it('finds the metric and the matchers of each selector, and not functions, labels or strings', () => {
    const expr =
      'sum by (group) (rate(smartlink_messages_total{namespace="$ns", outcome="dead"}[5m])) > 0 ' +
      'unless on (namespace) absent(up) or histogram_quantile(0.9, sum by (le) (rate(x_bucket{job=~"sum|rate"}[5m])))';
    expect(promqlSelectors(expr)).toEqual([
      { metric: 'smartlink_messages_total', matchers: 'namespace="$ns", outcome="dead"' },
      { metric: 'up', matchers: '' },
      { metric: 'x_bucket', matchers: 'job=~"sum|rate"' },
    ]);
  });

  it('refuses what is not PromQL', () => {
    expect(() => promqlSelectors('sum(rate(x[5m])')).toThrow(/not PromQL/);
  });

  it('reads a Grafana query once its variables are replaced', () => {
    const query = grafanaQueryAsPromql('sum(rate(x_total{namespace="$namespace"}[$__rate_interval]))');
    expect(query).toBe('sum(rate(x_total{namespace="namespace-value"}[5m]))');
    expect(promqlSelectors(query)).toEqual([{ metric: 'x_total', matchers: 'namespace="namespace-value"' }]);
  });
});
