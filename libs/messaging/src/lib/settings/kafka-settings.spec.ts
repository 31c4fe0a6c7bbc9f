import { inspect } from 'node:util';
import { SettingsError } from '@smartlink/common';
import { parseKafkaSettings } from './kafka-settings';

function settingsError(env: Record<string, string>): SettingsError {
  try {
    parseKafkaSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected parseKafkaSettings to throw');
}

const badKeys = (error: SettingsError) => error.problems.map((p) => p.key).sort();

describe('parseKafkaSettings', () => {
  it('defaults to the local test broker, plain text, no SASL', () => {
    expect(parseKafkaSettings({})).toEqual({
      brokers: ['localhost:19092'],
      clientId: 'smartlink',
      topicNamespace: 'smartlink',
      tls: null,
      sasl: null,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      retry: { retries: 5, initialRetryTimeMs: 300, maxRetryTimeMs: 30_000 },
      logLevel: 'info',
      sessionTimeoutMs: 30_000,
      startupRetryMs: 120_000,
      topics: { partitions: 6 },
      client: 'kafkajs',
      groupProtocol: 'classic',
    });
  });

  it('treats empty variables as unset', () => {
    expect(parseKafkaSettings({ KAFKA_BROKERS: '', KAFKA_SASL_USERNAME: '', KAFKA_SSL: '' })).toMatchObject({
      brokers: ['localhost:19092'],
      sasl: null,
      tls: null,
    });
  });

  it('reads a full production configuration', () => {
    const settings = parseKafkaSettings({
      KAFKA_BROKERS: ' kafka-0.kafka:9093, 10.0.0.7:9093 ,[fd00::7]:9093,',
      KAFKA_CLIENT_ID: 'smartlink-executor',
      SMARTLINK_TOPIC_NAMESPACE: 'tenant-a.prod',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'executor',
      KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
      KAFKA_CONNECTION_TIMEOUT_MS: '5000',
      KAFKA_REQUEST_TIMEOUT_MS: '20000',
      KAFKA_RETRIES: '8',
      KAFKA_RETRY_INITIAL_MS: '100',
      KAFKA_RETRY_MAX_MS: '10000',
      KAFKA_LOG_LEVEL: 'WARN',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_STARTUP_RETRY_MS: '300000',
    });

    expect(settings).toMatchObject({
      brokers: ['kafka-0.kafka:9093', '10.0.0.7:9093', '[fd00::7]:9093'],
      clientId: 'smartlink-executor',
      topicNamespace: 'tenant-a.prod',
      tls: { caFile: '/etc/kafka/ca.pem', rejectUnauthorized: false },
      sasl: { mechanism: 'scram-sha-512', username: 'executor' },
      connectionTimeoutMs: 5_000,
      requestTimeoutMs: 20_000,
      retry: { retries: 8, initialRetryTimeMs: 100, maxRetryTimeMs: 10_000 },
      logLevel: 'warn',
      sessionTimeoutMs: 10_000,
      startupRetryMs: 300_000,
    });
    expect(settings.sasl?.password.reveal()).toBe('hunter2-but-longer');
  });

  it("refuses a session timeout the broker's default bounds would refuse", () => {
    expect(badKeys(settingsError({ KAFKA_SESSION_TIMEOUT_MS: '5999' }))).toEqual([
      'KAFKA_SESSION_TIMEOUT_MS',
    ]);
    expect(badKeys(settingsError({ KAFKA_SESSION_TIMEOUT_MS: '300001' }))).toEqual([
      'KAFKA_SESSION_TIMEOUT_MS',
    ]);
  });

  it('takes 0 for a start-up that never retries, and refuses a negative or fractional time', () => {
    expect(parseKafkaSettings({ KAFKA_STARTUP_RETRY_MS: '0' }).startupRetryMs).toBe(0);
    expect(badKeys(settingsError({ KAFKA_STARTUP_RETRY_MS: '-1' }))).toEqual(['KAFKA_STARTUP_RETRY_MS']);
    expect(settingsError({ KAFKA_STARTUP_RETRY_MS: '1.5' }).message).toContain(
      'KAFKA_STARTUP_RETRY_MS: not a whole number',
    );
  });

  describe('the client library and its group options', () => {
    it('runs on @platformatic/kafka with the KIP-848 protocol and a static member id when told so', () => {
      expect(
        parseKafkaSettings({
          KAFKA_CLIENT: ' Platformatic ',
          KAFKA_GROUP_PROTOCOL: 'CONSUMER',
          KAFKA_GROUP_INSTANCE_ID: 'executor-0',
        }),
      ).toMatchObject({ client: 'platformatic', groupProtocol: 'consumer', groupInstanceId: 'executor-0' });
    });

    it('keeps the classic protocol and no static membership by default, with either client', () => {
      const settings = parseKafkaSettings({ KAFKA_CLIENT: 'platformatic' });
      expect(settings).toMatchObject({ client: 'platformatic', groupProtocol: 'classic' });
      expect(settings.groupInstanceId).toBeUndefined();
      expect(parseKafkaSettings({ KAFKA_GROUP_PROTOCOL: 'classic' }).groupProtocol).toBe('classic');
    });

    it.each([
      [
        'KAFKA_GROUP_INSTANCE_ID',
        { KAFKA_GROUP_INSTANCE_ID: 'executor-0' },
        'kafkajs has no static group membership',
      ],
      [
        'KAFKA_GROUP_PROTOCOL',
        { KAFKA_GROUP_PROTOCOL: 'consumer' },
        'kafkajs speaks only the classic protocol',
      ],
    ])('refuses %s with kafkajs, saying it needs KAFKA_CLIENT=platformatic', (key, env, why) => {
      for (const client of [{}, { KAFKA_CLIENT: 'kafkajs' }] as Array<Record<string, string>>) {
        const error = settingsError({ ...client, ...env });
        expect(badKeys(error)).toEqual([key]);
        expect(error.message).toContain('KAFKA_CLIENT=platformatic');
        expect(error.message).toContain(why);
      }
    });

    it.each([
      ['KAFKA_CLIENT', 'rdkafka'],
      ['KAFKA_GROUP_PROTOCOL', 'cooperative'],
      ['KAFKA_GROUP_INSTANCE_ID', 'pod 0'],
      ['KAFKA_GROUP_INSTANCE_ID', 'x'.repeat(250)],
    ])('refuses %s=%j', (key, value) => {
      expect(badKeys(settingsError({ KAFKA_CLIENT: 'platformatic', [key]: value }))).toEqual([key]);
    });
  });

  it('verifies TLS certificates unless told otherwise', () => {
    expect(parseKafkaSettings({ KAFKA_SSL: '1' }).tls).toEqual({ rejectUnauthorized: true });
  });

  describe('when the broker list is wrong', () => {
    it.each([
      ['no port', 'kafka'],
      ['port 0', 'kafka:0'],
      ['a port above 65535', 'kafka:70000'],
      ['a URL', 'http://kafka:9092'],
      ['only separators', ' , ,'],
      ['one bad entry among good ones', 'kafka-0:9092,kafka-1'],
    ])('rejects %s', (_case, brokers) => {
      const error = settingsError({ KAFKA_BROKERS: brokers });
      expect(error.code).toBe('INVALID_SETTINGS');
      expect(badKeys(error)).toEqual(['KAFKA_BROKERS']);
      expect(error.message).toContain('host:port');
    });

    it('does not echo the entry, which may carry credentials', () => {
      const error = settingsError({ KAFKA_BROKERS: 'admin:s3cr3t-pw@kafka:9092' });
      expect(error.message).toContain('entry 1 of 1 is not host:port');
      expect(error.message).not.toContain('s3cr3t-pw');
    });
  });

  describe('when SASL is only partly configured', () => {
    it('names the missing variables', () => {
      const error = settingsError({ KAFKA_SASL_USERNAME: 'executor' });
      expect(badKeys(error)).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD']);
      expect(error.message).toContain('SASL needs all three');
    });

    it('never echoes the password', () => {
      const error = settingsError({ KAFKA_SASL_PASSWORD: 'hunter2-but-longer' });
      expect(badKeys(error)).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME']);
      expect(error.message).not.toContain('hunter2');
    });

    it('never echoes the password next to an unknown mechanism either', () => {
      const error = settingsError({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'executor',
        KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
      });
      expect(badKeys(error)).toEqual(['KAFKA_SASL_MECHANISM']);
      expect(error.message).not.toContain('hunter2');
    });
  });

  it('refuses a CA file without TLS rather than connecting in plain text', () => {
    const error = settingsError({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' });
    expect(badKeys(error)).toEqual(['KAFKA_SSL']);
  });

  it.each(['smart link', '.hidden', 'a/b', 'x'.repeat(101)])(
    'refuses the topic namespace %j',
    (namespace) => {
      expect(badKeys(settingsError({ SMARTLINK_TOPIC_NAMESPACE: namespace }))).toEqual([
        'SMARTLINK_TOPIC_NAMESPACE',
      ]);
    },
  );

  it('lists every bad number with its bounds', () => {
    const error = settingsError({
      KAFKA_REQUEST_TIMEOUT_MS: '5',
      KAFKA_RETRIES: '0',
      KAFKA_CONNECTION_TIMEOUT_MS: 'soon',
    });
    expect(badKeys(error)).toEqual([
      'KAFKA_CONNECTION_TIMEOUT_MS',
      'KAFKA_REQUEST_TIMEOUT_MS',
      'KAFKA_RETRIES',
    ]);
    expect(error.message).toContain('100-600000');
  });

  describe('once parsed', () => {
    const settings = parseKafkaSettings({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'executor',
      KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
    });

    it.each([
      ['JSON', () => JSON.stringify(settings)],
      ['util.inspect', () => inspect(settings, { depth: 10 })],
      ['a template string', () => `${settings.sasl?.password}`],
    ])('keeps the password out of %s', (_how, print) => {
      const printed = print();
      expect(printed).toContain('[redacted]');
      expect(printed).not.toContain('hunter2');
    });
  });
});
