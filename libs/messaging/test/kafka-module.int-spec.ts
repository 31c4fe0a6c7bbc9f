import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  EventProducer,
  KafkaClient,
  KafkaHealthIndicator,
  KafkaModule,
  TopicAdmin,
  TopicNames,
  type ConsumedMessage,
} from '../src';
import { CLIENT_KINDS, testSettings } from './kafka-test-support';

// KafkaModule as an app uses it: providers wired, producer connected on init, everything closed on shutdown.

describe('KafkaModule', () => {
  describe.each(CLIENT_KINDS)('forRoot on %s', (kind) => {
    const namespace = uniqueName('messaging_module');
    let moduleRef: TestingModule;

    beforeAll(async () => {
      moduleRef = await Test.createTestingModule({
        imports: [
          KafkaModule.forRoot(
            testSettings({
              SMARTLINK_TOPIC_NAMESPACE: namespace,
              KAFKA_LOG_LEVEL: 'warn',
              KAFKA_CLIENT: kind,
            }),
          ),
        ],
      }).compile();
      moduleRef.useLogger(false);
      await moduleRef.init();
    });

    afterAll(async () => {
      await moduleRef.close();
    });

    it('connects the producer during init and names topics under the configured namespace', () => {
      expect(moduleRef.get(EventProducer).isConnected()).toBe(true);
      expect(moduleRef.get(TopicNames).outcomes).toBe(`${namespace}.outcomes`);
    });

    it('reports the cluster healthy with its broker count', async () => {
      await expect(moduleRef.get(KafkaHealthIndicator).isHealthy('kafka')).resolves.toEqual({
        kafka: { status: 'up', brokers: 1 },
      });
    });

    it('carries a record from the injected producer to a consumer, and stops consumers on close', async () => {
      const topics = moduleRef.get(TopicNames);
      await moduleRef.get(TopicAdmin).ensureTopics([{ name: topics.outcomes, partitions: 1 }]);
      const received: ConsumedMessage[] = [];
      const consumer = moduleRef.get(KafkaClient).createConsumer({
        groupId: uniqueName('messaging_module_group'),
        topics: [topics.outcomes],
        handler: async (messages) => {
          received.push(...messages);
        },
      });
      const health = moduleRef.get(KafkaHealthIndicator);
      expect(health.isConsumerRunning('outcomes', consumer)).toMatchObject({ outcomes: { status: 'down' } });

      await consumer.start();
      await waitFor(() => consumer.isRunning(), { description: 'the consumer to join its group' });
      await moduleRef
        .get(EventProducer)
        .send(topics.outcomes, [{ key: 'm-1', value: '{"status":"succeeded"}' }]);
      await waitFor(() => received.length > 0, { description: 'the outcome' });

      expect(received[0]?.value.toString()).toBe('{"status":"succeeded"}');
      expect(health.isConsumerRunning('outcomes', consumer)).toMatchObject({ outcomes: { status: 'up' } });

      await moduleRef.close();
      expect(consumer.isRunning()).toBe(false);
      expect(moduleRef.get(EventProducer).isConnected()).toBe(false);
    });
  });

  describe('forRootAsync', () => {
    @Injectable()
    class ConfigDouble {
      readonly namespace = uniqueName('messaging_async');
    }

    @Module({ providers: [ConfigDouble], exports: [ConfigDouble] })
    class ConfigDoubleModule {}

    it('builds the settings from an injected provider', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          KafkaModule.forRootAsync({
            imports: [ConfigDoubleModule],
            inject: [ConfigDouble],
            useFactory: (config: ConfigDouble) =>
              testSettings({ SMARTLINK_TOPIC_NAMESPACE: config.namespace }),
          }),
        ],
      }).compile();
      moduleRef.useLogger(false);
      await moduleRef.init();
      try {
        expect(moduleRef.get(TopicNames).namespace).toBe(moduleRef.get(ConfigDouble).namespace);
        expect(moduleRef.get(EventProducer).isConnected()).toBe(true);
      } finally {
        await moduleRef.close();
      }
    });
  });
});
