import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestSystem } from '@smartlink/system-harness';
import { waitFor } from '@smartlink/testing';
import { parseAllDocuments } from 'yaml';

// The Kubernetes manifests against the running services: every probe path of every Deployment, and the metrics path
// of every scraped one, answers 2xx on the service as it really runs (the built bundle, as a process). The manifests name the services'
// default ports; here each service listens on the free port the test system chose for it, so the manifest's port is
// mapped to that one. That the manifest ports are the defaults is checked statically in tools/docs-check.
const ROOT = join(__dirname, '../../..');

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: {
        containers: {
          ports?: { name?: string; containerPort: number }[];
          startupProbe?: Probe;
          livenessProbe?: Probe;
          readinessProbe?: Probe;
        }[];
      };
    };
  };
}

/** An HTTP check a manifest asks of a service: a path on one of its container ports. */
interface Check {
  readonly what: string;
  readonly path: string;
  readonly manifestPort: number;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return path.endsWith('.yaml') ? [path] : [];
  });
}

const deployments = yamlFiles(join(ROOT, 'docker/k8s'))
  .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as Deployment))
  .filter((object) => object?.kind === 'Deployment');

/** The probe and scrape requests of one Deployment, with named ports resolved to container ports. */
function checksOf(deployment: Deployment): Check[] {
  const container = deployment.spec.template.spec.containers[0];
  if (!container) throw new Error(`${deployment.metadata.name} has no container`);
  const portOf = (port: string | number) =>
    typeof port === 'number' ? port : (container.ports?.find((p) => p.name === port)?.containerPort ?? NaN);
  const checks: Check[] = [];
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
    const get = container[probe]?.httpGet;
    if (!get) throw new Error(`${deployment.metadata.name} has no HTTP ${probe}`);
    checks.push({ what: probe, path: get.path, manifestPort: portOf(get.port) });
  }
  const annotations = deployment.spec.template.metadata.annotations ?? {};
  if (annotations['prometheus.io/scrape'] === 'true') {
    checks.push({
      what: 'metrics scrape',
      path: annotations['prometheus.io/path'] ?? '(no prometheus.io/path)',
      manifestPort: Number(annotations['prometheus.io/port']),
    });
  }
  return checks;
}

/** The one HTTP port a service process listens on: HTTP_PORT, or SIM_PORT for the simulator. */
function listeningPort(system: TestSystem, service: string): number {
  const env = system.service(service).spec.env;
  return Number(env['HTTP_PORT'] ?? env['SIM_PORT']);
}

describe('the Kubernetes manifests, against the running services', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ database: 'sqlite', commands: ['DemoPing'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('has a Deployment for every service the system runs, each started from a bundle the build produced', () => {
    const names = deployments.map((d) => d.metadata.name).sort();
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      expect(() => system.service(name)).not.toThrow();
      expect(existsSync(join(ROOT, 'dist/apps', name, 'main.js'))).toBe(true);
    }
  });

  describe.each(deployments.map((d) => [d.metadata.name, d] as const))('%s', (service, deployment) => {
    const checks = checksOf(deployment);
    const get = async (check: Check): Promise<Response> => {
      const url = `http://127.0.0.1:${listeningPort(system, service)}${check.path}`;
      return waitFor(
        async () => {
          const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
          return response.ok ? response : false;
        },
        { description: `${service} to answer 2xx at ${check.path}`, timeoutMs: 30_000, intervalMs: 200 },
      ).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`)));
    };

    it('points its probes and its scrape at one port', () => {
      expect(new Set(checks.map((check) => check.manifestPort)).size).toBe(1);
      expect(Number.isInteger(checks[0]?.manifestPort)).toBe(true);
    });

    it.each(checks.filter((c) => c.what !== 'metrics scrape').map((c) => [c.what, c.path, c] as const))(
      'answers its %s (%s) with 2xx',
      async (_what, _path, check) => {
        const response = await get(check);
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(300);
      },
    );
  });

  const scrapes = deployments.flatMap((d) =>
    checksOf(d)
      .filter((check) => check.what === 'metrics scrape')
      .map((check) => [d.metadata.name, check.path, check] as const),
  );

  it.each(scrapes)(
    '%s serves Prometheus metrics at %s, where its scrape annotations say',
    async (service, _path, scrape) => {
      const url = `http://127.0.0.1:${listeningPort(system, service)}${scrape.path}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/^# HELP process_resident_memory_bytes /m);
    },
  );

  it('has every service scraped but the cloud simulator, a test double without /metrics', () => {
    const unscraped = deployments
      .filter((d) => !checksOf(d).some((check) => check.what === 'metrics scrape'))
      .map((d) => d.metadata.name);
    expect(unscraped).toEqual(['smartlink-sim']);
  });
});
