import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICES, type ServiceName } from '../settings/service-entry-points';
import { minimalEnv } from '../settings/minimal-env';
import { readServiceSettings, type ServiceSettings } from '../settings/settings-reader';
import { readDockerfile, stageChain } from './dockerfile';

// Static checks of docker/: the images, the compose file and the Kubernetes manifests, held against the code (the
// settings each service really reads, its default port). No Docker engine or cluster is needed; what the running
// services answer on the manifests' probe paths is checked by apps/system-e2e/test/manifests.e2e-spec.ts.
const ROOT = join(__dirname, '../../../..');
const DOCKER = join(ROOT, 'docker');
const SECRET_SETTING = /SECRET|PASSWORD|TOKEN|^SIM_CLIENTS$/;
const PROBES = {
  startupProbe: '/health/started',
  livenessProbe: '/health/live',
  readinessProbe: '/health/ready',
};
/**
 * The cloud simulator is a test double, not part of the client, and serves neither /health nor /metrics: its probes
 * use its admin API (which answers once it listens) and it is not scraped. Every other service has the full set.
 */
const SIMULATOR = 'smartlink-sim';
const SIMULATOR_PROBES = {
  startupProbe: '/admin/stats',
  livenessProbe: '/admin/stats',
  readinessProbe: '/admin/stats',
};
const CLIENT_AND_SEGMENT = SERVICES.filter((service) => service !== SIMULATOR);
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
/** The Node the project pins: the npm registry's `node` package, which the tests and `npm start` run on. */
const PINNED_NODE = PACKAGE.devDependencies['node'] ?? '';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface K8sObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    maxUnavailable?: number;
    minAvailable?: number;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
        containers: Container[];
        volumes?: { name: string; emptyDir?: object }[];
      };
    };
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return path.endsWith('.yaml') ? [path] : [];
  });
}

function bytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`unreadable quantity ${quantity}`);
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(match[1]) * (units[match[2] ?? ''] ?? 1);
}

const portSetting = (service: ServiceName) => (service === 'smartlink-sim' ? 'SIM_PORT' : 'HTTP_PORT');

describe('docker/', () => {
  let code: ServiceSettings;
  const defaultPort = (service: ServiceName) => Number(code[service].get(portSetting(service))?.defaultValue);
  const reads = (service: ServiceName, name: string) => code[service].has(name);
  const required = (service: ServiceName) =>
    [...code[service]].filter(([, setting]) => setting.required).map(([name]) => name);

  beforeAll(() => {
    code = readServiceSettings(ROOT, minimalEnv);
  });

  describe('one Node line', () => {
    const major = PINNED_NODE.split('.')[0];

    it('pins an exact Node release, the one these tests run on', () => {
      expect(PINNED_NODE).toMatch(/^\d+\.\d+\.\d+$/);
      expect(process.versions.node).toBe(PINNED_NODE);
    });

    it('asks for that Node line in engines, and types against it', () => {
      expect(PACKAGE.engines.node).toBe(`>=${PINNED_NODE} <${Number(major) + 1}`);
      expect(PACKAGE.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
    });

    it('names that Node in the README', () => {
      expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`Node ${PINNED_NODE}`);
    });
  });

  describe('Dockerfile', () => {
    const { stages, args } = readDockerfile(readFileSync(join(DOCKER, 'Dockerfile'), 'utf8'));
    const instructions = (stage: string, keyword: string) =>
      stages.find((s) => s.name === stage)?.instructions.filter((i) => i.keyword === keyword) ?? [];

    it.each(SERVICES)('has a %s image on the Node the project pins, run by a non-root user', (service) => {
      const chain = stageChain(stages, service);
      expect(chain[0]?.name).toBe(service);
      const base = (chain[chain.length - 1]?.from ?? '').replace(
        /\$\{(\w+)\}/g,
        (_, name: string) => args[name] ?? '',
      );
      expect(base).toMatch(new RegExp(`^node:${PINNED_NODE.replace(/\./g, '\\.')}-`));
      const user = chain.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'USER'))[0]?.args;
      expect(user).toBeDefined();
      expect(user?.split(':')[0]).not.toMatch(/^(0|root)$/);
    });

    it.each(SERVICES)('starts the bundle nx builds for %s, and exposes its default port', (service) => {
      expect(instructions(service, 'CMD').map((i) => JSON.parse(i.args))).toEqual([
        ['node', `dist/apps/${service}/main.js`],
      ]);
      expect(instructions(service, 'COPY').map((i) => i.args)).toContainEqual(
        `--from=build /src/dist/apps/${service} ./dist/apps/${service}`,
      );
      expect(instructions(service, 'EXPOSE').map((i) => Number(i.args))).toEqual([defaultPort(service)]);
      const build = instructions('build', 'RUN').find((i) => i.args.includes('nx run-many -t build'));
      expect(build?.args.split(/[\s,]+/)).toContain(service);
      const output = require('../../../../tools/build/webpack-node-app')(join(ROOT, 'apps', service), service)
        .output as { path: string; filename: string };
      expect(relative(ROOT, join(output.path, output.filename.replace('[name]', 'main')))).toBe(
        `dist/apps/${service}/main.js`,
      );
    });

    it('ships production dependencies only, built in a stage of their own', () => {
      expect(instructions('prod-deps', 'RUN').some((i) => /npm ci .*--omit=dev/.test(i.args))).toBe(true);
      const copies = instructions('runtime', 'COPY').map((i) => i.args);
      expect(copies).toContain('--from=prod-deps /src/node_modules ./node_modules');
      expect(copies.some((c) => c.startsWith('--from=build'))).toBe(false);
    });

    it('has a .dockerignore that keeps node_modules, dist and local state out of the context', () => {
      const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
      expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.local', '.git']));
    });
  });

  describe('compose.yaml', () => {
    const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        { build?: { target: string }; image?: string; environment?: Record<string, string>; ports?: string[] }
      >;
    };

    it('runs every service from its image target, on Kafka and SQL Server', () => {
      for (const service of SERVICES) {
        expect(compose.services[service]?.build?.target).toBe(service);
        expect(compose.services[service]?.ports).toContain(`${defaultPort(service)}:${defaultPort(service)}`);
      }
      expect(compose.services['kafka']?.image).toMatch(/^apache\/kafka:/);
      expect(compose.services['mssql']?.image).toBe('mcr.microsoft.com/mssql/server:2022-latest');
    });

    it.each(SERVICES)(
      'gives %s only settings it reads, every one it requires, secrets from the environment',
      (service) => {
        const env = compose.services[service]?.environment ?? {};
        expect(Object.keys(env).filter((name) => !reads(service, name))).toEqual([]);
        expect(required(service).filter((name) => !(name in env))).toEqual([]);
        const literalSecrets = Object.entries(env).filter(
          ([name, value]) => SECRET_SETTING.test(name) && !String(value).includes('${'),
        );
        expect(literalSecrets).toEqual([]);
        expect(reads(service, 'DB_TYPE') ? env['DB_TYPE'] : 'mssql').toBe('mssql');
      },
    );
  });

  describe('Kubernetes manifests', () => {
    const k8s = join(DOCKER, 'k8s');
    const files = yamlFiles(k8s).filter((file) => !file.endsWith('kustomization.yaml'));
    const objects = files.flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as K8sObject),
    );
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const deployment = (service: string) => deployments.find((d) => d.metadata.name === service);
    const container = (service: string) =>
      deployment(service)?.spec?.template?.spec.containers[0] as Container;
    const configMap = (name: string) =>
      objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);

    it('lists every manifest in a kustomization, and only files that exist', () => {
      const listed = yamlFiles(k8s)
        .filter((file) => file.endsWith('kustomization.yaml'))
        .flatMap((file) => {
          const { resources = [] } = parse(readFileSync(file, 'utf8')) as { resources?: string[] };
          return resources.map((resource) => join(dirname(file), resource));
        });
      for (const resource of listed) expect(existsSync(resource)).toBe(true);
      expect(files.filter((file) => !listed.includes(file))).toEqual([]);
    });

    it('has one Deployment per service, with a PodDisruptionBudget', () => {
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
      for (const d of deployments) {
        const selector = d.spec?.selector?.matchLabels;
        expect(d.spec?.template?.metadata?.labels).toMatchObject(selector ?? { missing: 'selector' });
        const budget = objects.find(
          (o) =>
            o.kind === 'PodDisruptionBudget' &&
            JSON.stringify(o.spec?.selector?.matchLabels) === JSON.stringify(selector),
        );
        expect(budget?.spec?.maxUnavailable ?? budget?.spec?.minAvailable).toBeDefined();
      }
    });

    it('runs two pollers (one holds the lease) and two retry-schedulers', () => {
      expect(deployment('poller')?.spec?.replicas).toBe(2);
      expect(deployment('retry-scheduler')?.spec?.replicas).toBe(2);
    });

    it.each(CLIENT_AND_SEGMENT)(
      'probes %s on its default port: started, live, ready; scraped at /metrics',
      (service) => {
        const c = container(service);
        expect(c.ports?.find((p) => p.name === 'http')?.containerPort).toBe(defaultPort(service));
        for (const [probe, path] of Object.entries(PROBES)) {
          expect(c[probe as keyof typeof PROBES]?.httpGet).toEqual({ path, port: 'http' });
        }
        expect(deployment(service)?.spec?.template?.metadata?.annotations).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(defaultPort(service)),
          'prometheus.io/path': '/metrics',
        });
      },
    );

    it('probes the simulator on its admin API, on its default port, and does not scrape it', () => {
      const c = container(SIMULATOR);
      expect(c.ports?.find((p) => p.name === 'http')?.containerPort).toBe(defaultPort(SIMULATOR));
      for (const [probe, path] of Object.entries(SIMULATOR_PROBES)) {
        expect(c[probe as keyof typeof SIMULATOR_PROBES]?.httpGet).toEqual({ path, port: 'http' });
      }
      expect(deployment(SIMULATOR)?.spec?.template?.metadata?.annotations).toEqual({
        'prometheus.io/scrape': 'false',
      });
    });

    it.each(SERVICES)('bounds %s and takes every privilege away', (service) => {
      const pod = deployment(service)?.spec?.template?.spec;
      const c = container(service);
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
      const limit = bytes(c.resources?.limits?.['memory'] ?? '0');
      expect(limit).toBeGreaterThan(200e6);
      expect(limit).toBeLessThanOrEqual(bytes('256Mi'));
      expect(c.resources?.requests?.['memory']).toBeDefined();
      expect(c.resources?.requests?.['cpu']).toBeDefined();
      expect(c.image).toMatch(new RegExp(`^smartlink/${service}:`));
    });

    it.each(SERVICES)(
      'gives %s only settings it reads and every one it requires, secrets from a Secret',
      (service) => {
        const c = container(service);
        const direct = c.env ?? [];
        const fromConfigMaps = (c.envFrom ?? []).flatMap((e) =>
          Object.keys(
            configMap(e.configMapRef?.name ?? '')?.data ?? {
              [`missing ConfigMap ${e.configMapRef?.name}`]: '',
            },
          ),
        );
        expect(direct.map((e) => e.name).filter((name) => !reads(service, name))).toEqual([]);
        const given = [...direct.map((e) => e.name), ...fromConfigMaps];
        expect(required(service).filter((name) => !given.includes(name))).toEqual([]);
        expect(given.filter((name) => name === portSetting(service))).toEqual([]);
        const danglingRefs = direct
          .map((e) => e.valueFrom?.configMapKeyRef)
          .filter((ref) => ref !== undefined && configMap(ref.name)?.data?.[ref.key] === undefined);
        expect(danglingRefs).toEqual([]);
        const secretsNotFromTheSecret = direct
          .filter((e) => SECRET_SETTING.test(e.name))
          .filter(
            (e) =>
              e.valueFrom?.secretKeyRef?.name !== 'smartlink-secrets' ||
              e.valueFrom.secretKeyRef.key !== e.name,
          );
        expect(secretsNotFromTheSecret).toEqual([]);
      },
    );

    it('puts in each ConfigMap only settings a service using it reads, and no secret', () => {
      for (const map of objects.filter((o) => o.kind === 'ConfigMap')) {
        const users = SERVICES.filter(
          (service) =>
            (container(service)?.envFrom ?? []).some((e) => e.configMapRef?.name === map.metadata.name) ||
            (container(service)?.env ?? []).some(
              (e) => e.valueFrom?.configMapKeyRef?.name === map.metadata.name,
            ),
        );
        expect(users.length).toBeGreaterThan(0);
        for (const key of Object.keys(map.data ?? {})) {
          expect({ key, readBy: users.filter((service) => reads(service, key)).length > 0 }).toEqual({
            key,
            readBy: true,
          });
          expect(key).not.toMatch(SECRET_SETTING);
        }
      }
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    });
  });
});
