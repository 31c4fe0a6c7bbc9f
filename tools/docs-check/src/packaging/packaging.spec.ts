import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { SERVICES } from '../settings/service-entry-points';
import { serviceSettingsView } from '../settings/service-settings-view';
import { readDockerfile, stageChain } from './dockerfile';

// Static checks of docker/: the images and the compose file, held against the code (the settings each service really
// reads, its default port). No Docker engine is needed. The Kubernetes manifests: kubernetes-manifests.spec.ts.
const ROOT = join(__dirname, '../../../..');
const DOCKER = join(ROOT, 'docker');
const SECRET_SETTING = /SECRET|PASSWORD|TOKEN|^SIM_CLIENTS$/;
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
/** The Node the project pins: the npm registry's `node` package, which the tests and `npm start` run on. */
const PINNED_NODE = PACKAGE.devDependencies['node'] ?? '';

describe('docker/', () => {
  const { load, defaultPort, reads, required } = serviceSettingsView(ROOT);

  beforeAll(load);

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
});
