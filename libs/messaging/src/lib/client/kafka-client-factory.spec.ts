import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates } from '@smartlink/testing';
import type { LoggerService } from '@nestjs/common';
import { SettingsError } from '@smartlink/common';
import { logLevel } from 'kafkajs';
import { keyPartitioner } from '../producer/key-partitioner';
import { parseKafkaSettings } from '../settings/kafka-settings';
import { KafkaClientFactory } from './kafka-client-factory';

const silentLogger: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

describe('KafkaClientFactory', () => {
  describe('kafkaConfig', () => {
    it('maps brokers, client id, timeouts and every retry option', () => {
      const settings = parseKafkaSettings({
        KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092',
        KAFKA_CLIENT_ID: 'smartlink-poller',
        KAFKA_CONNECTION_TIMEOUT_MS: '1500',
        KAFKA_REQUEST_TIMEOUT_MS: '12000',
        KAFKA_RETRIES: '3',
        KAFKA_RETRY_INITIAL_MS: '50',
        KAFKA_RETRY_MAX_MS: '2000',
        KAFKA_LOG_LEVEL: 'debug',
      });

      const config = new KafkaClientFactory(settings, { logger: silentLogger }).kafkaConfig();

      expect(config).toMatchObject({
        clientId: 'smartlink-poller',
        brokers: ['kafka-0:9092', 'kafka-1:9092'],
        connectionTimeout: 1_500,
        requestTimeout: 12_000,
        enforceRequestTimeout: true,
        retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 2_000, factor: 0.2, multiplier: 2 },
        logLevel: logLevel.DEBUG,
      });
      expect(config.logCreator).toEqual(expect.any(Function));
    });

    it('connects in plain text without SASL by default', () => {
      const config = new KafkaClientFactory(parseKafkaSettings({}), { logger: silentLogger }).kafkaConfig();
      expect(config.ssl).toBeUndefined();
      expect(config.sasl).toBeUndefined();
    });

    it('verifies TLS with the CA file it reads', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
      const ca = Buffer.from((await createTestCertificates(dir)).pem.ca);
      rmSync(dir, { recursive: true, force: true });
      const read: string[] = [];
      const settings = parseKafkaSettings({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' });

      const config = new KafkaClientFactory(settings, {
        logger: silentLogger,
        readFile: (path) => {
          read.push(path);
          return ca;
        },
      }).kafkaConfig();

      expect(read).toEqual(['/etc/kafka/ca.pem']);
      expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: [ca] });
    });

    it('stops start-up with a settings error when the CA file cannot be read', () => {
      const settings = parseKafkaSettings({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/missing/ca.pem' });
      const factory = new KafkaClientFactory(settings, {
        logger: silentLogger,
        readFile: () => {
          throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
        },
      });

      expect(() => factory.kafkaConfig()).toThrow(SettingsError);
      expect(() => factory.kafkaConfig()).toThrow(/KAFKA_SSL_CA_FILE: cannot be read \(ENOENT\)/);
    });

    it('stops start-up with a settings error when the CA file holds no certificate', () => {
      const settings = parseKafkaSettings({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/kafka/key.pem' });
      const factory = new KafkaClientFactory(settings, {
        logger: silentLogger,
        readFile: () => Buffer.from('-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n'),
      });

      expect(() => factory.kafkaConfig()).toThrow(/KAFKA_SSL_CA_FILE: holds no PEM certificate/);
    });

    it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('hands kafkajs the %s credentials', (mechanism) => {
      const settings = parseKafkaSettings({
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'executor',
        KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
      });

      const config = new KafkaClientFactory(settings, { logger: silentLogger }).kafkaConfig();

      expect(config.sasl).toEqual({ mechanism, username: 'executor', password: 'hunter2-but-longer' });
    });
  });

  describe('producerConfig', () => {
    const settings = parseKafkaSettings({ KAFKA_RETRIES: '4' });
    const config = new KafkaClientFactory(settings, { logger: silentLogger }).producerConfig();

    it('leaves retries to EventProducer (kafkajs#1303), so one request is in flight per broker and not idempotent', () => {
      expect(config.idempotent).toBe(false);
      expect(config.maxInFlightRequests).toBe(1);
      expect(config.retry).toMatchObject({ retries: 0, initialRetryTime: 300, maxRetryTime: 30_000 });
    });

    it('chooses the Java-compatible partitioner explicitly and never creates topics', () => {
      expect(config.createPartitioner).toBe(keyPartitioner);
      expect(config.allowAutoTopicCreation).toBe(false);
    });
  });

  describe('consumerConfig', () => {
    const factory = new KafkaClientFactory(parseKafkaSettings({ KAFKA_RETRIES: '2' }), {
      logger: silentLogger,
    });

    it('uses the group id and keeps the heartbeat well inside the session', () => {
      const config = factory.consumerConfig({ groupId: 'executor' });
      expect(config).toMatchObject({
        groupId: 'executor',
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        maxWaitTimeInMs: 1_000,
      });
      expect(config.allowAutoTopicCreation).toBe(false);
      expect(config.retry).toMatchObject({ retries: 2 });
    });

    it('takes the session timeout from the settings, with a heartbeat at a tenth of it', () => {
      const short = new KafkaClientFactory(parseKafkaSettings({ KAFKA_SESSION_TIMEOUT_MS: '6000' }), {
        logger: silentLogger,
      });
      expect(short.consumerConfig({ groupId: 'executor' })).toMatchObject({
        sessionTimeout: 6_000,
        heartbeatInterval: 600,
      });
    });

    it('takes per-consumer tuning', () => {
      const config = factory.consumerConfig({
        groupId: 'log-writer',
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1_000,
        maxBytesPerPartition: 4_194_304,
        maxWaitTimeMs: 500,
      });
      expect(config).toMatchObject({
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxBytesPerPartition: 4_194_304,
        maxWaitTimeInMs: 500,
      });
    });
  });
});
