import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { DEFAULT_SHUTDOWN_DEADLINE_MS, KubernetesSettingsObjects } from '@smartlink/common';
import { parse } from 'yaml';
import { SERVICES, type ServiceName } from '../settings/service-entry-points';
import { portSetting, serviceSettingsView } from '../settings/service-settings-view';
import type { Container, K8sObject } from './kubernetes-object';
import { schemaProblems } from './kubernetes-schemas';
import { kustomizationDirs, kustomizeBuild } from './kustomize-build';
import { maxOldSpaceMiB, maxSemiSpaceMiB, memoryBudgetProblems, quantityMiB } from './memory-budget';

// The Kubernetes manifests as `kubectl kustomize` renders them (what `kubectl apply -k` sends), held against the
// Kubernetes schemas, the code (the settings each service reads, its default port), the one definition of the
// Secret and ConfigMaps (KubernetesSettingsObjects, which `activate` prints) and the benchmark's measured memory.
// What the running services answer on the probe paths: apps/system-e2e/test/manifests.e2e-spec.ts.
const ROOT = join(__dirname, '../../../..');
const K8S_DIR = join(ROOT, 'docker/k8s');
const K8S = KubernetesSettingsObjects;
const SECRET_SETTING = /SECRET|PASSWORD|TOKEN|^SIM_CLIENTS$/;
/** Node's own variables, which no settings loader reads. */
const NODE_RUNTIME = new Set(['NODE_OPTIONS']);
const PROBES = {
  startupProbe: '/health/started',
  livenessProbe: '/health/live',
  readinessProbe: '/health/ready',
};
/**
 * The cloud simulator is a test double, not part of the client, and serves neither /health nor /metrics: its probes
 * use its admin API (which answers once it listens) and it is not scraped. Its Secret (SIM_CLIENTS) holds the
 * simulator's published demo credentials, so the demo generates it.
 */
const SIMULATOR = 'smartlink-sim';
const SIMULATOR_PROBES = {
  startupProbe: '/admin/stats',
  livenessProbe: '/admin/stats',
  readinessProbe: '/admin/stats',
};
const RECOMMENDED_LABELS = ['name', 'instance', 'component', 'part-of', 'version', 'managed-by'].map(
  (label) => `app.kubernetes.io/${label}`,
);
/** kustomize's generators append a hash of the content to the name: `smartlink-cloud-5dcd8bd779`. */
const GENERATED = /^(.+)-[a-z0-9]{10}$/;
const generatorName = (name: string) => GENERATED.exec(name)?.[1];

interface Rendered {
  /** The kustomization's directory, relative to docker/k8s. */
  readonly name: string;
  readonly dir: string;
  readonly objects: K8sObject[];
}

const rendered: Rendered[] = kustomizationDirs(K8S_DIR).map((dir) => ({
  name: relative(K8S_DIR, dir),
  dir,
  objects: kustomizeBuild(dir),
}));
/**
 * What an installation applies: every kustomization but the base, which leaves the cloud settings and the registry
 * to its overlays. One without a Deployment (e.g. monitoring) is checked against the schemas only.
 */
const applied = rendered.filter((r) => r.name !== 'base' && r.objects.some((o) => o.kind === 'Deployment'));
const overlay = (name: string): Rendered => {
  const found = rendered.find((r) => r.name === name);
  if (!found) throw new Error(`no kustomization docker/k8s/${name}`);
  return found;
};
const site = overlay(relative(K8S_DIR, join(ROOT, K8S.siteOverlay)));
const demo = overlay('demo');
const deployments = (r: Rendered) => r.objects.filter((o) => o.kind === 'Deployment');
const containerOf = (deployment: K8sObject) => deployment.spec?.template?.spec.containers[0] as Container;
const deploymentIn = (r: Rendered, service: string) => {
  const found = deployments(r).find((d) => d.metadata.name === service);
  if (!found) throw new Error(`no Deployment ${service} in docker/k8s/${r.name}`);
  return found;
};
const inBoth = (services: readonly ServiceName[]) =>
  applied.flatMap((r) =>
    services
      .filter((service) => deployments(r).some((d) => d.metadata.name === service))
      .map((service) => [r.name, service, r] as const),
  );

interface BenchResults {
  readonly resources: Record<
    string,
    { idle?: { rssMbMax: number }; load?: { rssMbMax: number; heapMbMax?: number } }
  >;
}
const BENCH = JSON.parse(
  readFileSync(join(ROOT, 'apps/bench/results/bench-results.json'), 'utf8'),
) as BenchResults;

describe('the Kubernetes manifests, as kubectl kustomize renders them', () => {
  const { load, defaultPort, reads, required } = serviceSettingsView(ROOT);

  beforeAll(load);

  it('renders the base, the site overlay and the demo', () => {
    expect(rendered.map((r) => r.name)).toEqual(expect.arrayContaining(['base', 'site', 'demo']));
    expect(applied.map((r) => r.name)).toEqual(expect.arrayContaining(['site', 'demo']));
  });

  describe('against the Kubernetes schemas', () => {
    it.each(rendered.map((r) => [r.name, r] as const))(
      '%s: every object is valid, with no field the schema does not know',
      (_name, r) => {
        const problems = schemaProblems(r.objects).flatMap((list, i) =>
          list.map((problem) => `${r.objects[i]?.kind} ${r.objects[i]?.metadata?.name}: ${problem}`),
        );
        expect(problems).toEqual([]);
      },
      60_000,
    );

    it('refuses what the API server or kubectl apply would refuse', () => {
      const [deployment, budget] = ['Deployment', 'PodDisruptionBudget'].map((kind) =>
        structuredClone(demo.objects.find((o) => o.kind === kind)),
      );
      const broken = [
        { ...deployment, spec: { ...deployment?.spec, replicas: 'two' } },
        { ...deployment, spec: { ...deployment?.spec, replicaz: 2 } },
        { ...budget, spec: { ...budget?.spec, unhealthyPodEvictionPolicy: 'Always' } },
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PodMonitor',
          metadata: { name: 'typo' },
          spec: { selector: {}, podMetricsEndpoints: [{ port: 'http', pathh: '/metrics' }] },
        },
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PrometheusRule',
          metadata: { name: 'r' },
          spec: { groups: 'x' },
        },
        { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' } },
      ];
      const [replicas, replicaz, policy, podMonitor, rule, unknown] = schemaProblems(broken);
      expect(replicas).toContain('/spec/replicas must be integer');
      expect(replicaz).toEqual(['/spec/replicaz is not a field of Deployment']);
      expect(policy).toContain('/spec/unhealthyPodEvictionPolicy must be equal to one of the allowed values');
      expect(podMonitor).toEqual(['/spec/podMetricsEndpoints/0/pathh is not a field of PodMonitor']);
      expect(rule).toContain('/spec/groups must be array');
      expect(unknown).toEqual(['no schema for example.com/v1 Unknown']);
    }, 60_000);
  });

  describe('one Deployment per service', () => {
    it('runs every service in the demo, and the client in the site overlay', () => {
      expect(
        deployments(demo)
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual([...SERVICES].sort());
      expect(
        deployments(site)
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(['executor', 'log-writer', 'poller', 'retry-scheduler'].sort());
    });

    it('runs two pollers (one holds the lease) and two retry-schedulers', () => {
      expect(deploymentIn(site, 'poller').spec?.replicas).toBe(2);
      expect(deploymentIn(site, 'retry-scheduler').spec?.replicas).toBe(2);
    });

    it.each(inBoth(SERVICES))(
      '%s: %s has a PodDisruptionBudget that lets unhealthy pods be evicted',
      (_name, service, r) => {
        const selector = deploymentIn(r, service).spec?.selector?.matchLabels;
        expect(deploymentIn(r, service).spec?.template?.metadata?.labels).toMatchObject(
          selector ?? { none: '' },
        );
        const budget = r.objects.find(
          (o) =>
            o.kind === 'PodDisruptionBudget' &&
            JSON.stringify(o.spec?.selector?.matchLabels) === JSON.stringify(selector),
        );
        expect(budget?.spec?.maxUnavailable ?? budget?.spec?.minAvailable).toBeDefined();
        expect(budget?.spec?.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      },
    );

    it.each(inBoth(SERVICES))('%s: %s carries the recommended labels on its pods', (_name, service, r) => {
      const deployment = deploymentIn(r, service);
      const labels = deployment.spec?.template?.metadata?.labels ?? {};
      expect(RECOMMENDED_LABELS.filter((label) => !labels[label])).toEqual([]);
      expect(labels['app.kubernetes.io/name']).toBe(service);
      expect(labels['app.kubernetes.io/managed-by']).toBe('kustomize');
      expect(labels['app.kubernetes.io/version']).toBe(containerOf(deployment).image.split(':').at(-1));
      expect(labels['app.kubernetes.io/part-of']).toBe(
        service === SIMULATOR || service === 'example-segment' ? 'smartlink-demo' : 'smartlink-client',
      );
    });

    it.each(inBoth(SERVICES))('%s: %s pulls its image from a registry, by tag', (_name, service, r) => {
      const image = containerOf(deploymentIn(r, service)).image;
      const [host] = image.split('/');
      expect(image).toMatch(new RegExp(`^[^/]+/smartlink/${service}:[\\w.-]+$`));
      expect(host).toMatch(/[.:]|^localhost$/);
    });

    it.each(inBoth(SERVICES))('%s: %s is bounded and has every privilege taken away', (_name, service, r) => {
      const pod = deploymentIn(r, service).spec?.template?.spec;
      const c = containerOf(deploymentIn(r, service));
      expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(25);
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod?.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
      expect(c.resources?.requests?.['cpu']).toBeDefined();
    });
  });

  describe('consumer groups (docker/README.md, "Consumer groups")', () => {
    /** The services whose pods consume in Kafka consumer groups (the poller's lease is a group of its own kind). */
    const CONSUMERS: readonly ServiceName[] = [
      'executor',
      'retry-scheduler',
      'log-writer',
      'example-segment',
    ];
    const clientSettings = (r: Rendered) =>
      r.objects.find((o) => o.kind === 'ConfigMap' && generatorName(o.metadata.name) === 'smartlink-client')
        ?.data ?? {};
    const settingOf = (r: Rendered, c: Container, name: string) =>
      c.env?.find((e) => e.name === name)?.value ?? clientSettings(r)[name];

    it.each(inBoth(CONSUMERS))(
      '%s: %s joins its groups as a static member named after its pod, on the client that offers it',
      (_name, service, r) => {
        const c = containerOf(deploymentIn(r, service));
        expect(c.env?.find((e) => e.name === 'KAFKA_GROUP_INSTANCE_ID')?.valueFrom).toEqual({
          fieldRef: { fieldPath: 'metadata.name' },
        });
        // kafkajs has no static membership; KIP-848's protocol would keep a killed pod's partitions from its
        // restarted container until the broker's session ran out (docs/reliability.md, "Replicas").
        expect(settingOf(r, c, 'KAFKA_CLIENT')).toBe('platformatic');
        expect(settingOf(r, c, 'KAFKA_GROUP_PROTOCOL') ?? 'classic').toBe('classic');
      },
    );

    it.each(inBoth(CONSUMERS))(
      '%s: %s has a session that outlasts its graceful shutdown, which the pod is given time for',
      (_name, service, r) => {
        const c = containerOf(deploymentIn(r, service));
        const session = Number(settingOf(r, c, 'KAFKA_SESSION_TIMEOUT_MS'));
        const shutdown = Number(settingOf(r, c, 'SHUTDOWN_DEADLINE_MS') ?? DEFAULT_SHUTDOWN_DEADLINE_MS);
        const grace =
          (deploymentIn(r, service).spec?.template?.spec.terminationGracePeriodSeconds ?? 30) * 1_000;
        expect(session).toBeGreaterThan(shutdown);
        expect(grace).toBeGreaterThan(shutdown);
      },
    );
  });

  describe('memory, from the benchmark (apps/bench/results/bench-results.json)', () => {
    it.each(inBoth(SERVICES))(
      '%s: %s has a limit over the measured peak RSS, a request over the idle RSS, and a heap that fits',
      (_name, service, r) => {
        const measured = BENCH.resources[service];
        const c = containerOf(deploymentIn(r, service));
        expect(measured?.idle?.rssMbMax).toBeGreaterThan(0);
        const idle = measured?.idle?.rssMbMax ?? 0;
        const problems = memoryBudgetProblems(
          {
            idleMiB: idle,
            peakMiB: Math.max(idle, measured?.load?.rssMbMax ?? 0),
            ...(measured?.load?.heapMbMax !== undefined && { heapMiB: measured.load.heapMbMax }),
          },
          {
            requestMiB: quantityMiB(c.resources?.requests?.['memory'] ?? '0'),
            limitMiB: quantityMiB(c.resources?.limits?.['memory'] ?? '0'),
            maxOldSpaceMiB: maxOldSpaceMiB(c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value),
            maxSemiSpaceMiB: maxSemiSpaceMiB(c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value),
          },
        );
        expect(problems).toEqual([]);
      },
    );
  });

  describe('probes and scraping', () => {
    const clientAndSegment = SERVICES.filter((service) => service !== SIMULATOR);

    it.each(inBoth(clientAndSegment))(
      '%s: %s is probed on its default port (started, live, ready) and scraped at /metrics',
      (_name, service, r) => {
        const c = containerOf(deploymentIn(r, service));
        expect(c.ports?.find((p) => p.name === 'http')?.containerPort).toBe(defaultPort(service));
        for (const [probe, path] of Object.entries(PROBES)) {
          expect(c[probe as keyof typeof PROBES]?.httpGet).toEqual({ path, port: 'http' });
        }
        expect(deploymentIn(r, service).spec?.template?.metadata?.annotations).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(defaultPort(service)),
          'prometheus.io/path': '/metrics',
        });
      },
    );

    it('probes the simulator on its admin API, on its default port, and does not scrape it', () => {
      const c = containerOf(deploymentIn(demo, SIMULATOR));
      expect(c.ports?.find((p) => p.name === 'http')?.containerPort).toBe(defaultPort(SIMULATOR));
      for (const [probe, path] of Object.entries(SIMULATOR_PROBES)) {
        expect(c[probe as keyof typeof SIMULATOR_PROBES]?.httpGet).toEqual({ path, port: 'http' });
      }
      expect(deploymentIn(demo, SIMULATOR).spec?.template?.metadata?.annotations).toEqual({
        'prometheus.io/scrape': 'false',
      });
    });
  });

  describe('settings', () => {
    /** What a container's environment holds, resolved against the objects the overlay renders and the Secret. */
    function environment(r: Rendered, c: Container) {
      const object = (kind: string, name: string) =>
        r.objects.find((o) => o.kind === kind && o.metadata.name === name);
      const missing: string[] = [];
      const fromConfigMaps = (c.envFrom ?? []).flatMap((from) => {
        const map = object('ConfigMap', from.configMapRef?.name ?? '');
        if (!map) missing.push(`ConfigMap ${from.configMapRef?.name}`);
        return Object.keys(map?.data ?? {});
      });
      for (const e of c.env ?? []) {
        const configRef = e.valueFrom?.configMapKeyRef;
        if (configRef && object('ConfigMap', configRef.name)?.data?.[configRef.key] === undefined)
          missing.push(`ConfigMap ${configRef.name} key ${configRef.key}`);
        const secretRef = e.valueFrom?.secretKeyRef;
        const generated = secretRef && object('Secret', secretRef.name);
        const keyExists = generated
          ? generated.data?.[secretRef.key] !== undefined
          : secretRef?.name === K8S.secret.name &&
            (K8S.secret.keys as readonly string[]).includes(secretRef.key);
        if (secretRef && !keyExists) missing.push(`Secret ${secretRef.name} key ${secretRef.key}`);
      }
      return { names: [...(c.env ?? []).map((e) => e.name), ...fromConfigMaps], missing };
    }

    it.each(inBoth(SERVICES))(
      '%s: %s gets every setting it requires and only ones it reads, every reference resolved',
      (_name, service, r) => {
        const c = containerOf(deploymentIn(r, service));
        const { names, missing } = environment(r, c);
        expect(missing).toEqual([]);
        expect(required(service).filter((name) => !names.includes(name))).toEqual([]);
        const direct = (c.env ?? []).map((e) => e.name);
        expect(direct.filter((name) => !reads(service, name) && !NODE_RUNTIME.has(name))).toEqual([]);
        expect(names.filter((name) => name === portSetting(service))).toEqual([]);
      },
    );

    it.each(inBoth(SERVICES))(
      '%s: %s takes its secrets from a Secret, never from a value',
      (_name, service, r) => {
        const env = containerOf(deploymentIn(r, service)).env ?? [];
        const literal = env.filter(
          (e) => SECRET_SETTING.test(e.name) && e.valueFrom?.secretKeyRef?.key !== e.name,
        );
        expect(literal.map((e) => e.name)).toEqual([]);
        expect(env.filter((e) => e.valueFrom?.secretKeyRef?.optional).map((e) => e.name)).toEqual([]);
      },
    );

    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: each ConfigMap holds only settings a service using it reads, and no secret',
      (_name, r) => {
        const users = (map: K8sObject) =>
          SERVICES.filter((service) =>
            deployments(r).some(
              (d) =>
                d.metadata.name === service &&
                ((containerOf(d).envFrom ?? []).some((e) => e.configMapRef?.name === map.metadata.name) ||
                  (d.spec?.template?.spec.volumes ?? []).some(
                    (v) => v.configMap?.name === map.metadata.name,
                  )),
            ),
          );
        for (const map of r.objects.filter((o) => o.kind === 'ConfigMap')) {
          expect({ map: map.metadata.name, used: users(map).length > 0 }).toEqual({
            map: map.metadata.name,
            used: true,
          });
          const mounted = deployments(r).some((d) =>
            (d.spec?.template?.spec.volumes ?? []).some((v) => v.configMap?.name === map.metadata.name),
          );
          if (mounted) continue;
          for (const key of Object.keys(map.data ?? {})) {
            expect({ key, readBy: users(map).some((service) => reads(service, key)) }).toEqual({
              key,
              readBy: true,
            });
            expect(key).not.toMatch(SECRET_SETTING);
          }
        }
      },
    );

    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: holds no Secret but the simulator’s published demo credentials',
      (_name, r) => {
        const secrets = r.objects.filter((o) => o.kind === 'Secret');
        for (const secret of secrets) {
          expect(Object.keys(secret.data ?? {})).toEqual(['SIM_CLIENTS']);
          const users = deployments(r).filter((d) =>
            (containerOf(d).env ?? []).some((e) => e.valueFrom?.secretKeyRef?.name === secret.metadata.name),
          );
          expect(users.map((d) => d.metadata.name)).toEqual([SIMULATOR]);
        }
        expect(secrets.length).toBe(r === demo ? 1 : 0);
      },
    );

    it('points the demo at the simulator', () => {
      const cloud = demo.objects.find((o) => generatorName(o.metadata.name) === K8S.configMaps.cloud.name);
      expect(cloud?.data?.['SMARTLINK_RAC_URL']).toMatch(/^http:\/\/smartlink-sim:\d+$/);
    });
  });

  describe('the Secret and ConfigMaps, as activate prints them (KubernetesSettingsObjects)', () => {
    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: puts every object in the namespace activate uses',
      (_name, r) => {
        expect(
          r.objects.filter((o) => o.metadata.namespace !== K8S.namespace).map((o) => o.metadata.name),
        ).toEqual([]);
      },
    );

    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: reads the client’s Secret by its name, exactly its keys',
      (_name, r) => {
        const refs = deployments(r).flatMap((d) =>
          (containerOf(d).env ?? []).flatMap((e) =>
            e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
          ),
        );
        const client = refs.filter(
          (ref) => !r.objects.some((o) => o.kind === 'Secret' && o.metadata.name === ref.name),
        );
        expect([...new Set(client.map((ref) => ref.name))]).toEqual([K8S.secret.name]);
        expect([...new Set(client.map((ref) => ref.key))].sort()).toEqual([...K8S.secret.keys].sort());
        expect(
          deployments(r)
            .flatMap((d) => containerOf(d).envFrom ?? [])
            .filter((e) => e.secretRef),
        ).toEqual([]);
      },
    );

    it.each(Object.values(K8S.configMaps).map((map) => [map.name, map] as const))(
      'generates %s in the site overlay from the env file activate writes, for the services that read it',
      (_name, map) => {
        const kustomization = parse(readFileSync(join(site.dir, 'kustomization.yaml'), 'utf8')) as {
          configMapGenerator?: { name: string; envs?: string[]; behavior?: string }[];
        };
        const generator = kustomization.configMapGenerator?.find((g) => g.name === map.name);
        expect(generator).toEqual({ name: map.name, envs: [map.envFile] });
        const generated = site.objects.find(
          (o) => o.kind === 'ConfigMap' && generatorName(o.metadata.name) === map.name,
        );
        expect(Object.keys(generated?.data ?? {}).sort()).toEqual([...map.keys].sort());
        const readers = deployments(site).filter((d) =>
          (containerOf(d).envFrom ?? []).some((e) => e.configMapRef?.name === generated?.metadata.name),
        );
        const needed = SERVICES.filter((service) => map.keys.some((key) => required(service).includes(key)));
        expect(readers.map((d) => d.metadata.name).sort()).toEqual([...needed].sort());
      },
    );
  });

  describe('a change of configuration rolls the pods', () => {
    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: every ConfigMap and Secret a pod uses is generated, its content hash in the name',
      (_name, r) => {
        const used = deployments(r).flatMap((d) => [
          ...(containerOf(d).envFrom ?? []).flatMap((e) => (e.configMapRef ? [e.configMapRef.name] : [])),
          ...(containerOf(d).env ?? []).flatMap((e) => {
            const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
            return ref && ref.name !== K8S.secret.name ? [ref.name] : [];
          }),
          ...(d.spec?.template?.spec.volumes ?? []).flatMap((v) => (v.configMap ? [v.configMap.name] : [])),
        ]);
        expect(used.length).toBeGreaterThan(0);
        expect(used.filter((name) => !generatorName(name))).toEqual([]);
      },
    );

    it('gives the poller a new pod template when the subscriptions change', () => {
      const copy = mkdtempSync(join(tmpdir(), 'smartlink-k8s-'));
      try {
        cpSync(K8S_DIR, copy, { recursive: true });
        const siteCopy = join(copy, basename(site.dir));
        writeFileSync(
          join(siteCopy, K8S.configMaps.poller.envFile),
          'SMARTLINK_SUBSCRIPTIONS=AnotherCommand\n',
        );
        const template = (objects: K8sObject[]) =>
          JSON.stringify(
            objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'poller')?.spec?.template,
          );
        expect(template(kustomizeBuild(siteCopy))).not.toBe(template(site.objects));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });

  describe('the retry policy', () => {
    it.each(applied.map((r) => [r.name, r] as const))(
      '%s: the retry scheduler reads a mounted totvsAppConfig_v2.json, never the built-in defaults',
      (_name, r) => {
        const deployment = deploymentIn(r, 'retry-scheduler');
        const c = containerOf(deployment);
        const file = c.env?.find((e) => e.name === 'RETRY_POLICY_FILE')?.value ?? '';
        const mount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        const volume = deployment.spec?.template?.spec.volumes?.find((v) => v.name === mount?.name);
        const map = r.objects.find(
          (o) => o.kind === 'ConfigMap' && o.metadata.name === volume?.configMap?.name,
        );
        expect(Object.keys(map?.data ?? {})).toContain(file.slice((mount?.mountPath.length ?? 0) + 1));
      },
    );
  });

  describe('network policy', () => {
    const selects = (policy: K8sObject, labels: Readonly<Record<string, string>>) =>
      Object.entries(policy.spec?.podSelector?.matchLabels ?? {}).every(
        ([key, value]) => labels[key] === value,
      );

    it.each(inBoth(SERVICES))('%s: %s is fenced in, both ways', (_name, service, r) => {
      const labels = deploymentIn(r, service).spec?.template?.metadata?.labels ?? {};
      const policies = r.objects.filter((o) => o.kind === 'NetworkPolicy' && selects(o, labels));
      expect(policies.some((p) => p.spec?.policyTypes?.includes('Ingress'))).toBe(true);
      expect(policies.some((p) => p.spec?.policyTypes?.includes('Egress'))).toBe(true);
    });
  });
});
