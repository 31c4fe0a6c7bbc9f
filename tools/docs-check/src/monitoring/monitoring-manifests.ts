import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = join(__dirname, '../../../..');

/** An alerting rule of the PrometheusRule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A rule group of the PrometheusRule: what promtool reads as a rules file. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** An object of the rendered kustomization. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

/** A panel of the Grafana dashboard, and the queries it runs. */
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { type: string; uid: string };
  readonly targets?: { refId: string; expr: string }[];
  readonly gridPos: { h: number; w: number; x: number; y: number };
}

/** The Grafana dashboard JSON model, as far as the tests read it. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: DashboardPanel[];
  readonly templating: { list: { name: string; type: string; query: unknown }[] };
}

/**
 * A kustomization of docker/k8s (`monitoring`, `base`, `demo`) as kubectl renders it: kustomize built into kubectl is
 * the real renderer. Throws with what to install when kubectl is missing.
 */
export function renderKustomization(name: string): K8sObject[] {
  const dir = join(ROOT, 'docker/k8s', name);
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `kubectl kustomize ${dir} failed: ${result.error?.message ?? result.stderr}. ` +
        'kubectl (with its built-in kustomize) is needed to render the manifests.',
    );
  }
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject)
    .filter((object) => object !== null);
}

/** The monitoring kustomization: PodMonitor, PrometheusRule, Grafana dashboard. */
export function renderMonitoring(): K8sObject[] {
  return renderKustomization('monitoring');
}

/** The rule groups of the rendered PrometheusRule. */
export function ruleGroups(objects: readonly K8sObject[]): RuleGroup[] {
  const rule = objects.find((o) => o.kind === 'PrometheusRule');
  if (!rule) throw new Error('the monitoring kustomization renders no PrometheusRule');
  return (rule.spec as { groups: RuleGroup[] }).groups;
}

/** The dashboard JSON of the rendered dashboard ConfigMap. */
export function dashboardOf(objects: readonly K8sObject[]): Dashboard {
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['grafana_dashboard'] === '1');
  const json = Object.values(map?.data ?? {})[0];
  if (!json) throw new Error('the monitoring kustomization renders no dashboard ConfigMap');
  return JSON.parse(json) as Dashboard;
}
