import {
  allocatorEnvOfDockerfile,
  deployedMemory,
  serviceOverrides,
  imageAllocatorEnv,
  nodeOptionsOfManifest,
} from './deployed-memory';
import { workspaceRoot } from './workspace-root';

describe('nodeOptionsOfManifest', () => {
  it('reads NODE_OPTIONS from the Deployment among the documents', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: { name: executor }',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: executor',
      '          env:',
      '            - name: SMARTLINK_CLIENT_SECRET',
      '              valueFrom: { secretKeyRef: { name: s, key: k } }',
      '            - name: NODE_OPTIONS',
      '              value: --max-old-space-size=416 --max-semi-space-size=16',
    ].join('\n');

    expect(nodeOptionsOfManifest(manifest)).toBe('--max-old-space-size=416 --max-semi-space-size=16');
  });

  it('is null when no container sets it', () => {
    expect(
      nodeOptionsOfManifest(
        'kind: Deployment\nspec: { template: { spec: { containers: [{ name: a }] } } }\n',
      ),
    ).toBeNull();
  });
});

describe('allocatorEnvOfDockerfile', () => {
  it("reads the MALLOC_ variables of the runtime stage's ENV lines only", () => {
    const dockerfile = [
      'FROM node AS build',
      'ENV MALLOC_ARENA_MAX=8',
      'FROM node AS runtime',
      'ENV NODE_ENV=production',
      'ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072',
      'FROM runtime AS poller',
      'ENV MALLOC_TRIM_THRESHOLD_=1',
    ].join('\n');

    expect(allocatorEnvOfDockerfile(dockerfile)).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
  });

  it('finds the settings the images ship', () => {
    expect(Object.keys(imageAllocatorEnv(workspaceRoot(__dirname))).sort()).toEqual([
      'MALLOC_ARENA_MAX',
      'MALLOC_MMAP_THRESHOLD_',
      'MALLOC_TRIM_THRESHOLD_',
    ]);
  });
});

describe('deployedMemory', () => {
  it("gives each client service its manifest's NODE_OPTIONS and the images' MALLOC_* settings", () => {
    const { heapCapsBy, mallocEnv, envBy } = deployedMemory(workspaceRoot(__dirname), {
      heapCaps: true,
      allocatorEnv: true,
    });

    expect(Object.keys(envBy).sort()).toEqual(
      ['example-segment', 'executor', 'log-writer', 'poller', 'retry-scheduler'].sort(),
    );
    expect(envBy['executor']).toEqual({ ...mallocEnv, NODE_OPTIONS: heapCapsBy['executor'] });
    expect(heapCapsBy['executor']).toMatch(/--max-old-space-size=\d+/);
  });

  it('gives none of either when told not to', () => {
    const memory = deployedMemory(workspaceRoot(__dirname), { heapCaps: false, allocatorEnv: false });

    expect(memory.heapCapsBy).toEqual({});
    expect(memory.mallocEnv).toEqual({});
    expect(memory.envBy['poller']).toEqual({});
  });
});

describe('serviceOverrides', () => {
  it('lays later settings over earlier ones, per service and per name', () => {
    expect(
      serviceOverrides(
        { executor: { NODE_OPTIONS: '--max-old-space-size=416', MALLOC_ARENA_MAX: '2' } },
        { executor: { NODE_OPTIONS: '--max-old-space-size=256' }, poller: { POLL_BATCH_SIZE: '500' } },
        { 'retry-scheduler': { RETRY_POLICY_FILE: '/tmp/p.json' } },
      ),
    ).toEqual({
      executor: { NODE_OPTIONS: '--max-old-space-size=256', MALLOC_ARENA_MAX: '2' },
      poller: { POLL_BATCH_SIZE: '500' },
      'retry-scheduler': { RETRY_POLICY_FILE: '/tmp/p.json' },
    });
  });
});
