import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient, parseKafkaSettings, type ConsumedMessage } from '@smartlink/messaging';
import { PrivateBroker } from '@smartlink/system-harness';
import {
  createTestCertificates,
  freePort,
  uniqueName,
  waitFor,
  type TestCertificateFiles,
} from '@smartlink/testing';

// Kafka over TLS and SASL_SSL/SCRAM with real handshakes: two private brokers from tools/kafka with certificates made
// for this run, one presenting a valid certificate (SSL and SASL_SSL listeners), one an expired certificate. The
// messaging client carries records over both secured listeners; a wrong CA, an expired certificate and a wrong
// password each fail fast with an error that says why and never shows the password. Last, a service started with
// such a setting exits with that message instead of retrying in silence.

const PASSWORD_256 = 'Sc256-e2e-password-must-never-leak';
const PASSWORD_512 = 'Sc512-e2e-password-must-never-leak';
const WRONG_PASSWORD = 'Wrong-e2e-password-must-never-leak';
const PASSWORDS = [PASSWORD_256, PASSWORD_512, WRONG_PASSWORD];
const WORKSPACE = join(__dirname, '..', '..', '..');

/** Fast failure paths: kafkajs retries a connection error once, start-up does not retry at all. */
const QUICK = {
  KAFKA_RETRIES: '1',
  KAFKA_RETRY_INITIAL_MS: '100',
  KAFKA_RETRY_MAX_MS: '200',
  KAFKA_CONNECTION_TIMEOUT_MS: '5000',
  KAFKA_STARTUP_RETRY_MS: '0',
  KAFKA_LOG_LEVEL: 'nothing',
};

function expectNoPassword(text: string): void {
  for (const password of PASSWORDS) expect(text).not.toContain(password);
}

describe('Kafka over TLS and SASL/SCRAM', () => {
  let dir: string;
  let certs: TestCertificateFiles;
  let broker: PrivateBroker;
  let expiredBroker: PrivateBroker;
  let sslPort: number;
  let saslSslPort: number;
  let expiredSslPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
    certs = await createTestCertificates(join(dir, 'certs'));
    const users = join(dir, 'scram-users');
    writeFileSync(users, `scram256:${PASSWORD_256}\nscram512:${PASSWORD_512}\n`, { mode: 0o600 });
    [sslPort, saslSslPort, expiredSslPort] = [await freePort(), await freePort(), await freePort()];
    broker = new PrivateBroker(await freePort(), await freePort(), join(dir, 'data'), {
      sslPort,
      saslSslPort,
      keystoreFile: certs.serverKeystoreFile,
      scramUsersFile: users,
    });
    expiredBroker = new PrivateBroker(await freePort(), await freePort(), join(dir, 'expired-data'), {
      sslPort: expiredSslPort,
      keystoreFile: certs.expiredKeystoreFile,
    });
    // One after the other: two JVMs starting at once on two cores only make both slow.
    await broker.start();
    await expiredBroker.start();
  }, 300_000);

  afterAll(async () => {
    await Promise.all([broker?.stop(), expiredBroker?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  function clientFor(env: Record<string, string>): KafkaClient {
    return new KafkaClient(parseKafkaSettings({ KAFKA_CLIENT_ID: 'kafka-security-e2e', ...QUICK, ...env }));
  }

  /** Creates a topic, sends three records and reads them back in a consumer group, all over `env`'s listener. */
  async function roundTrip(env: Record<string, string>): Promise<string[]> {
    const client = clientFor(env);
    const admin = client.createAdmin();
    const producer = client.createProducer();
    const topic = uniqueName('kafka_security');
    const received: ConsumedMessage[] = [];
    try {
      await admin.ensureTopics([{ name: topic, partitions: 1 }]);
      await producer.send(
        topic,
        ['a', 'b', 'c'].map((key) => ({ key, value: `value of ${key}`, headers: {} })),
      );
      const consumer = client.createConsumer({
        groupId: uniqueName('kafka_security_group'),
        topics: [topic],
        handler: async (messages) => {
          received.push(...messages);
        },
      });
      await consumer.start();
      await waitFor(() => received.length >= 3, { description: 'three records', timeoutMs: 60_000 });
      return received.map((message) => message.value.toString());
    } finally {
      await client.stopConsumers();
      await producer.disconnect();
      await admin.disconnect();
    }
  }

  /** The error connecting a producer fails with, over `env`. */
  async function connectFailure(env: Record<string, string>): Promise<Error & { code?: string }> {
    const client = clientFor(env);
    const producer = client.createProducer();
    try {
      await client.startup.run('connecting the producer', () => producer.connect());
    } catch (error) {
      return error as Error & { code?: string };
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    throw new Error('expected connecting to fail');
  }

  it('carries records over TLS, trusting the CA in KAFKA_SSL_CA_FILE', async () => {
    await expect(
      roundTrip({
        KAFKA_BROKERS: `localhost:${sslPort}`,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.caFile,
      }),
    ).resolves.toEqual(['value of a', 'value of b', 'value of c']);
  });

  it.each([
    ['scram-sha-256', 'scram256', PASSWORD_256],
    ['scram-sha-512', 'scram512', PASSWORD_512],
  ])('carries records over SASL_SSL with %s', async (mechanism, username, password) => {
    await expect(
      roundTrip({
        KAFKA_BROKERS: `localhost:${saslSslPort}`,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.caFile,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: username,
        KAFKA_SASL_PASSWORD: password,
      }),
    ).resolves.toEqual(['value of a', 'value of b', 'value of c']);
  });

  it('refuses a broker whose certificate is not signed by the trusted CA, naming the broker and the cause', async () => {
    const error = await connectFailure({
      KAFKA_BROKERS: `localhost:${saslSslPort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: certs.otherCaFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'scram512',
      KAFKA_SASL_PASSWORD: PASSWORD_512,
    });
    expect(error).toMatchObject({ code: 'KAFKA_TLS_FAILED', retriable: false });
    expect(error.message).toContain(`Kafka TLS handshake with localhost:${saslSslPort} failed`);
    expect(error.message).toContain('certificate verify failed');
    expectNoPassword(`${error.message}\n${error.stack}`);
  });

  it('refuses a broker whose certificate has expired, saying so', async () => {
    const error = await connectFailure({
      KAFKA_BROKERS: `localhost:${expiredSslPort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: certs.caFile,
    });
    expect(error).toMatchObject({ code: 'KAFKA_TLS_FAILED', retriable: false });
    expect(error.message).toContain(`Kafka TLS handshake with localhost:${expiredSslPort} failed`);
    expect(error.message).toContain("the server's certificate has expired (CERT_HAS_EXPIRED");
  });

  it.each(['scram-sha-256', 'scram-sha-512'])(
    'refuses a wrong %s password with an authentication error that does not show it',
    async (mechanism) => {
      const error = await connectFailure({
        KAFKA_BROKERS: `localhost:${saslSslPort}`,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.caFile,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: mechanism === 'scram-sha-256' ? 'scram256' : 'scram512',
        KAFKA_SASL_PASSWORD: WRONG_PASSWORD,
      });
      expect(error).toMatchObject({ code: 'KAFKA_AUTHENTICATION_FAILED', retriable: false });
      expect(error.message).toContain('invalid credentials');
      expect(error.message).toContain('KAFKA_SASL_PASSWORD');
      expectNoPassword(`${error.message}\n${error.stack}`);
    },
  );

  describe('a service started with a setting the broker refuses', () => {
    /** Runs the example segment until it exits; its output is returned whole. */
    async function runService(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
      const httpPort = String(await freePort());
      const main = join(WORKSPACE, 'dist', 'apps', 'example-segment', 'main.js');
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [main], {
          cwd: WORKSPACE,
          env: {
            PATH: process.env['PATH'] ?? '',
            NODE_ENV: 'production',
            SMARTLINK_TOPIC_NAMESPACE: uniqueName('kafka_security_ns'),
            SEGMENT_NAME: 'example',
            HTTP_PORT: httpPort,
            KAFKA_RETRIES: '1',
            KAFKA_RETRY_INITIAL_MS: '100',
            KAFKA_RETRY_MAX_MS: '200',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.once('error', reject);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, output });
        });
      });
    }

    it('exits 1 with the authentication error on a wrong password, without the password', async () => {
      const { code, output } = await runService({
        KAFKA_BROKERS: `localhost:${saslSslPort}`,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'scram512',
        KAFKA_SASL_PASSWORD: WRONG_PASSWORD,
      });
      expect(code).toBe(1);
      expect(output).toContain('Kafka authentication failed while connecting the producer');
      expectNoPassword(output);
    });

    it('exits 1 with the TLS error on an untrusted certificate, even with start-up retries on', async () => {
      const { code, output } = await runService({
        KAFKA_BROKERS: `localhost:${sslPort}`,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: certs.otherCaFile,
      });
      expect(code).toBe(1);
      expect(output).toContain(
        `Kafka TLS handshake with localhost:${sslPort} failed while connecting the producer`,
      );
      expect(output).not.toContain('start-up tries');
    });
  });
});
