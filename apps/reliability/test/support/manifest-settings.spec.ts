import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestGroupSettings } from './manifest-settings';

const STATIC = `          env:
            - name: KAFKA_GROUP_INSTANCE_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
`;
const DYNAMIC = `          env:
            - name: NODE_OPTIONS
              value: --max-old-space-size=128
`;

describe('manifestGroupSettings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (clientEnv: string, deployment: string, others = deployment) => {
    writeFileSync(join(dir, 'client.env'), clientEnv);
    writeFileSync(join(dir, 'executor.yaml'), deployment);
    for (const name of ['retry-scheduler', 'log-writer']) writeFileSync(join(dir, `${name}.yaml`), others);
  };

  it('reads the client, protocol and session of client.env, and static membership from the Deployments', () => {
    write(
      '# comment\nKAFKA_CLIENT=platformatic\nKAFKA_GROUP_PROTOCOL=classic\nKAFKA_SESSION_TIMEOUT_MS=30000\n',
      STATIC,
    );
    expect(manifestGroupSettings(dir)).toEqual({
      client: 'platformatic',
      protocol: 'classic',
      sessionTimeoutMs: '30000',
      staticMembership: true,
    });
  });

  it("gives the services' defaults for what client.env leaves out", () => {
    write('LOG_FORMAT=json\n', DYNAMIC);
    expect(manifestGroupSettings(dir)).toEqual({
      client: 'kafkajs',
      protocol: 'classic',
      sessionTimeoutMs: undefined,
      staticMembership: false,
    });
  });

  it('refuses Deployments that disagree on static membership', () => {
    write('KAFKA_CLIENT=platformatic\n', STATIC, DYNAMIC);
    expect(() => manifestGroupSettings(dir)).toThrow(/disagree on KAFKA_GROUP_INSTANCE_ID/);
  });
});
