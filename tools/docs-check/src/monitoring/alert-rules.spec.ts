import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT, renderMonitoring, ruleGroups, type K8sObject, type RuleGroup } from './monitoring-manifests';
import { ensurePromtool, promtool } from './promtool';

// The PrometheusRule of docker/k8s/monitoring, as kubectl renders it, checked by Prometheus' own promtool: the rules
// parse (expressions and annotation templates), and the unit tests of alert-rules.test.yaml fire each alert on
// synthetic series and keep it quiet otherwise. Each alert's runbook is a section of docs/alerts.md.
const TESTS = join(__dirname, 'alert-rules.test.yaml');
const ALERTS_DOC = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8');
/** The alerts issue 12 asks for, and the one that says when the others have no metrics to work on. */
const REQUIRED = [
  'SmartlinkDeadLettersRising',
  'SmartlinkOldestMessageTooOld',
  'SmartlinkConsumerLagHigh',
  'SmartlinkPollerLeaseNotHeldOnce',
  'SmartlinkNoProgress',
  'SmartlinkServiceDown',
];

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

describe('the alert rules (docker/k8s/monitoring/prometheus-rule.yaml)', () => {
  const objects: K8sObject[] = renderMonitoring();
  const groups = ruleGroups(objects);
  const rules = groups.flatMap((group) => group.rules);
  const base = objects.find((o) => o.kind === 'PrometheusRule')?.metadata.annotations?.['runbook-base-url'];
  let path = '';
  let dir = '';

  /** Runs the unit tests against `tested` groups (annotations left out: see alert-rules.test.yaml). */
  const testRules = (tested: readonly RuleGroup[]) => {
    const bare = tested.map((group) => ({
      ...group,
      rules: group.rules.map(({ annotations: _annotations, ...rule }) => rule),
    }));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: bare }));
    return promtool(path, ['test', 'rules', 'alert-rules.test.yaml'], dir);
  };

  beforeAll(() => {
    path = ensurePromtool();
    dir = mkdtempSync(join(tmpdir(), 'smartlink-alerts-'));
    copyFileSync(TESTS, join(dir, 'alert-rules.test.yaml'));
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the alerts an operator needs, each with a wait, a severity, a summary and a description', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(expect.arrayContaining(REQUIRED));
    for (const rule of rules) {
      expect({ alert: rule.alert, for: rule.for }).toEqual({
        alert: rule.alert,
        for: expect.stringMatching(/^\d+[smh]$/),
      });
      expect(['critical', 'warning']).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary']?.length).toBeGreaterThan(20);
      expect(rule.annotations?.['description']?.length).toBeGreaterThan(40);
    }
  });

  it("links each alert to its own section of docs/alerts.md, under the PrometheusRule's runbook-base-url", () => {
    expect(base).toMatch(/^https:\/\/.+\/docs\/alerts\.md$/);
    const anchors = [...ALERTS_DOC.matchAll(/^## (.+)$/gm)].map(([, heading]) => anchorOf(heading ?? ''));
    for (const rule of rules) {
      expect(rule.annotations?.['runbook_url']).toBe(`${base}#${rule.alert.toLowerCase()}`);
      expect(anchors).toContain(rule.alert.toLowerCase());
    }
  });

  it('parses in promtool: expressions, durations and annotation templates', () => {
    writeFileSync(join(dir, 'full-rules.yaml'), stringify({ groups }));
    const checked = promtool(path, ['check', 'rules', 'full-rules.yaml'], dir);
    expect({ status: checked.status, output: checked.output }).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
    });
  });

  it('fires each alert on the synthetic series of its unit tests, and keeps it quiet otherwise', () => {
    const tested = testRules(groups);
    expect({ status: tested.status, output: tested.output }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it.each(rules.map((rule) => rule.alert))('has a unit test in which %s fires', (alert) => {
    const silenced = groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => (rule.alert === alert ? { ...rule, expr: 'vector(0) > 1' } : rule)),
    }));
    const tested = testRules(silenced);
    expect(tested.status).not.toBe(0);
    expect(tested.output).toContain(`alertname: ${alert}`);
  });
});
