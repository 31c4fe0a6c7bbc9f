import type { IHeaders, KafkaMessage } from 'kafkajs';
import { toConsumedMessage } from './consumed-message';

// A record-batch entry (message format v2, what Kafka 4 serves), the only kind with headers.
function kafkaMessage(overrides: {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: IHeaders;
}): KafkaMessage {
  return {
    key: Buffer.from('m-1'),
    value: Buffer.from('{"id":"m-1"}'),
    timestamp: '1767225600000',
    attributes: 0,
    offset: '9007199254740993', // beyond Number.MAX_SAFE_INTEGER: must survive as a string
    headers: {},
    ...overrides,
  };
}

describe('toConsumedMessage', () => {
  it('keeps topic, partition, offset, key, value and timestamp', () => {
    expect(toConsumedMessage('smartlink.outcomes', 2, kafkaMessage({}))).toEqual({
      topic: 'smartlink.outcomes',
      partition: 2,
      offset: '9007199254740993',
      key: 'm-1',
      value: Buffer.from('{"id":"m-1"}'),
      headers: {},
      timestamp: 1_767_225_600_000,
    });
  });

  it('decodes headers as UTF-8, the last of repeated values winning', () => {
    const message = kafkaMessage({
      headers: {
        'message-id': Buffer.from('m-1'),
        attempt: [Buffer.from('1'), Buffer.from('2')],
        note: Buffer.from('ação'),
      },
    });
    expect(toConsumedMessage('t', 0, message).headers).toEqual({
      'message-id': 'm-1',
      attempt: '2',
      note: 'ação',
    });
  });

  it('reports a missing key as null and a null value as empty', () => {
    const message = toConsumedMessage('t', 0, kafkaMessage({ key: null, value: null }));
    expect(message.key).toBeNull();
    expect(message.value).toEqual(Buffer.alloc(0));
  });
});
