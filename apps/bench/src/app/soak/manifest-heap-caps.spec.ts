import { nodeOptionsOfManifest } from './manifest-heap-caps';

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
