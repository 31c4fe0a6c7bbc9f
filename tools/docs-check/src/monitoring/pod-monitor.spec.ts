import { renderKustomization, renderMonitoring, type K8sObject } from './monitoring-manifests';

// The PodMonitor of docker/k8s/monitoring, as kubectl renders it, against the Deployments of the client it is to
// scrape (docker/k8s/base and demo): the port it names exists on each of them. That /metrics answers on that port is
// checked on the running services by apps/system-e2e/test/manifests.e2e-spec.ts.
interface PodMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  podMetricsEndpoints: { port: string; path: string; interval: string }[];
}
interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      metadata: { labels?: Record<string, string> };
      spec: { containers: { ports?: { name?: string }[] }[] };
    };
  };
}

/**
 * The cloud simulator is a test double with no /metrics. The demo's example segment is labelled part-of
 * smartlink-demo (its own network policy), so this PodMonitor leaves it out, as it leaves out any segment not
 * labelled as part of the client (docs/alerts.md). Every other Deployment is scraped.
 */
const UNSCRAPED = ['smartlink-sim', 'example-segment'];

function deploymentsOf(kustomization: string): Deployment[] {
  return renderKustomization(kustomization).filter((o) => o.kind === 'Deployment') as unknown as Deployment[];
}

describe('the PodMonitor (docker/k8s/monitoring/pod-monitor.yaml)', () => {
  const objects: K8sObject[] = renderMonitoring();
  const monitor = objects.find((o) => o.kind === 'PodMonitor');
  const spec = monitor?.spec as unknown as PodMonitorSpec;

  it("is labelled for kube-prometheus-stack's selectors, like the PrometheusRule", () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule');
    expect(monitor?.metadata.labels?.['release']).toEqual(expect.any(String));
    expect(rule?.metadata.labels?.['release']).toBe(monitor?.metadata.labels?.['release']);
  });

  it("selects the client's pods and scrapes /metrics on the port named http", () => {
    expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'smartlink-client' });
    expect(spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it.each(['base', 'demo'])(
    'finds that port on every scraped Deployment of docker/k8s/%s',
    (kustomization) => {
      const scraped = deploymentsOf(kustomization).filter((d) => !UNSCRAPED.includes(d.metadata.name));
      expect(scraped.length).toBeGreaterThanOrEqual(4);
      const port = spec.podMetricsEndpoints[0]?.port;
      const without = scraped
        .filter(
          (d) => !d.spec.template.spec.containers.some((c) => (c.ports ?? []).some((p) => p.name === port)),
        )
        .map((d) => d.metadata.name);
      expect(without).toEqual([]);
    },
  );

  it.each(['base', 'demo'])(
    'selects the pods of every scraped Deployment of docker/k8s/%s',
    (kustomization) => {
      const unselected = deploymentsOf(kustomization)
        .filter((d) => !UNSCRAPED.includes(d.metadata.name))
        .filter((d) => {
          const labels = d.spec.template.metadata.labels ?? {};
          return Object.entries(spec.selector.matchLabels).some(([key, value]) => labels[key] !== value);
        })
        .map((d) => d.metadata.name);
      expect(unselected).toEqual([]);
    },
  );
});
