import { parser } from '@prometheus-io/lezer-promql';

/** A vector selector of a PromQL expression: the metric name and the text of its label matchers. */
export interface PromqlSelector {
  /** The metric name; empty for a selector by label matchers only, e.g. `{__name__=~"..."}`. */
  readonly metric: string;
  /** The label matchers as written, without the braces; empty when there are none. */
  readonly matchers: string;
}

/**
 * The vector selectors of a PromQL expression, read with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, which the Prometheus UI uses), so function names, label names and string literals
 * are never taken for metric names. Throws on an expression the grammar cannot parse.
 */
export function promqlSelectors(expr: string): PromqlSelector[] {
  const tree = parser.parse(expr);
  const selectors: PromqlSelector[] = [];
  let error: number | null = null;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === null) error = node.from;
      if (node.name !== 'VectorSelector') return;
      const name = node.node.getChild('Identifier');
      const matchers = node.node.getChild('LabelMatchers');
      selectors.push({
        metric: name ? expr.slice(name.from, name.to) : '',
        matchers: matchers
          ? expr
              .slice(matchers.from, matchers.to)
              .replace(/^\{|\}$/g, '')
              .trim()
          : '',
      });
    },
  });
  if (error !== null) throw new Error(`not PromQL at character ${error}: ${expr}`);
  return selectors;
}

/**
 * A Grafana dashboard query as Prometheus receives it: Grafana's range variables (`$__rate_interval`, `$__interval`,
 * `$__range`) replaced by a range, any other variable (`$namespace`, `${datasource}`) by a value, so it parses.
 */
export function grafanaQueryAsPromql(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, (_all, name: string) => `${name}-value`);
}
