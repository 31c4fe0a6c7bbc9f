import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { grafanaQueryAsPromql, promqlSelectors } from '@smartlink/testing';
import { dashboardOf, renderMonitoring, type K8sObject } from './monitoring-manifests';
import { ensurePromtool, promtool } from './promtool';

// The Grafana dashboard of docker/k8s/monitoring, as kubectl renders it: a ConfigMap kube-prometheus-stack's Grafana
// sidecar loads, whose queries Prometheus accepts (promtool parses each as a recording rule) and each keep to the
// installation chosen in the dashboard. That every metric it uses is exported is checked against the running services
// in apps/system-e2e/test/metrics-replicas.e2e-spec.ts.
describe('the Grafana dashboard (docker/k8s/monitoring/dashboards)', () => {
  const objects: K8sObject[] = renderMonitoring();
  const dashboard = dashboardOf(objects);
  const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
  const queries = panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, refId: target.refId, expr: target.expr })),
  );

  it("is a ConfigMap the Grafana sidecar loads, under a fixed name and the dashboard's own uid", () => {
    const map = objects.find((o) => o.kind === 'ConfigMap');
    expect(map?.metadata.labels?.['grafana_dashboard']).toBe('1');
    expect(map?.metadata.name).toBe('smartlink-client-dashboard');
    expect(dashboard.uid).toBe('smartlink-client');
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'namespace']);
  });

  it('gives every panel an id of its own, a place on the 24-column grid and the chosen data source', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
    for (const panel of panels) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it('keeps every query to the installation chosen in the dashboard', () => {
    for (const { panel, expr } of queries) {
      const selectors = promqlSelectors(grafanaQueryAsPromql(expr));
      expect({ panel, selectors: selectors.length > 0 }).toEqual({ panel, selectors: true });
      const unscoped = selectors.filter(({ matchers }) => !/\bnamespace="namespace-value"/.test(matchers));
      expect({ panel, unscoped }).toEqual({ panel, unscoped: [] });
    }
  });

  describe('its queries', () => {
    let dir = '';
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('are PromQL that Prometheus accepts', () => {
      const path = ensurePromtool();
      dir = mkdtempSync(join(tmpdir(), 'smartlink-dashboard-'));
      const rules = queries.map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        expr: grafanaQueryAsPromql(expr),
      }));
      writeFileSync(join(dir, 'queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
      const checked = promtool(path, ['check', 'rules', 'queries.yaml'], dir);
      expect({ status: checked.status, output: checked.output }).toEqual({
        status: 0,
        output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
      });
    }, 300_000);
  });
});
