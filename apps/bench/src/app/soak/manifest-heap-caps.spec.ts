import { allocatorEnvOfDockerfile, imageAllocatorEnv, nodeOptionsOfManifest } from './manifest-heap-caps';
import { join } from 'node:path';

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
    expect(Object.keys(imageAllocatorEnv(join(__dirname, '../../../../..'))).sort()).toEqual([
      'MALLOC_ARENA_MAX',
      'MALLOC_MMAP_THRESHOLD_',
      'MALLOC_TRIM_THRESHOLD_',
    ]);
  });
});
