import { parseKafkaSettings } from '../settings/kafka-settings';
import { KafkaClient } from './kafka-client';

describe('KafkaClient.topicSpec', () => {
  it('lays out topics with the configured partitions and the broker default replication', () => {
    const client = new KafkaClient(parseKafkaSettings({}));
    expect(client.topicSpec('smartlink.events')).toEqual({ name: 'smartlink.events', partitions: 6 });
  });

  it('follows KAFKA_TOPIC_PARTITIONS and KAFKA_TOPIC_REPLICATION_FACTOR, with topic configs', () => {
    const client = new KafkaClient(
      parseKafkaSettings({ KAFKA_TOPIC_PARTITIONS: '12', KAFKA_TOPIC_REPLICATION_FACTOR: '3' }),
    );
    expect(client.topicSpec('t', { 'retention.ms': '1000' })).toEqual({
      name: 't',
      partitions: 12,
      replicationFactor: 3,
      config: { 'retention.ms': '1000' },
    });
  });

  it('refuses a partition count of zero', () => {
    expect(() => parseKafkaSettings({ KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
  });
});
