import { SettingsError } from '@smartlink/common';
import { parseKafkaSettings } from '@smartlink/messaging';
import { SegmentDefaults } from './segment-defaults';
import { parseSegmentSettings, resolveSegmentSettings } from './segment-settings';

describe('parseSegmentSettings', () => {
  it('needs only the segment name; everything else has a default', () => {
    const settings = parseSegmentSettings({ SEGMENT_NAME: 'hr' });
    expect(settings).toMatchObject({ segment: 'hr', ...SegmentDefaults });
    expect(settings.kafka.topicNamespace).toBe('smartlink');
  });

  it('reads every SEGMENT_ variable and the Kafka ones', () => {
    const settings = parseSegmentSettings({
      SEGMENT_NAME: 'finance',
      SEGMENT_HANDLER_TIMEOUT_MS: '5000',
      SEGMENT_CONCURRENCY: '4',
      SEGMENT_MAX_BATCH_SIZE: '50',
      SEGMENT_DEDUP_CAPACITY: '0',
      SEGMENT_SHUTDOWN_GRACE_MS: '1000',
      SEGMENT_MAX_PUBLISH_BYTES: '2048',
      SMARTLINK_TOPIC_NAMESPACE: 'acme',
    });
    expect(settings).toMatchObject({
      segment: 'finance',
      handlerTimeoutMs: 5000,
      concurrency: 4,
      maxBatchSize: 50,
      dedupCapacity: 0,
      shutdownGraceMs: 1000,
      maxPublishBytes: 2048,
    });
    expect(settings.kafka.topicNamespace).toBe('acme');
  });

  it('takes the default name the app offers when SEGMENT_NAME is unset or empty', () => {
    expect(parseSegmentSettings({}, { segment: 'example' }).segment).toBe('example');
    expect(parseSegmentSettings({ SEGMENT_NAME: '' }, { segment: 'example' }).segment).toBe('example');
    expect(parseSegmentSettings({ SEGMENT_NAME: 'hr' }, { segment: 'example' }).segment).toBe('hr');
  });

  describe('when a value is wrong', () => {
    it('stops start-up naming the variable and how to fix it', () => {
      expect(() => parseSegmentSettings({})).toThrow(SettingsError);
      expect(() => parseSegmentSettings({})).toThrow(/SEGMENT_NAME: .*expected: the segment's name/);
      expect(() => parseSegmentSettings({ SEGMENT_NAME: 'hr/payroll' })).toThrow(/SEGMENT_NAME/);
      expect(() => parseSegmentSettings({ SEGMENT_NAME: 'hr', SEGMENT_CONCURRENCY: '0' })).toThrow(
        /SEGMENT_CONCURRENCY.*1-1000/,
      );
      expect(() => parseSegmentSettings({ SEGMENT_NAME: 'hr', SEGMENT_HANDLER_TIMEOUT_MS: 'soon' })).toThrow(
        /SEGMENT_HANDLER_TIMEOUT_MS/,
      );
    });
  });
});

describe('resolveSegmentSettings', () => {
  const kafka = parseKafkaSettings({});

  it('fills in the defaults of options left out', () => {
    expect(resolveSegmentSettings({ segment: 'hr', kafka, concurrency: 2 })).toEqual({
      ...SegmentDefaults,
      segment: 'hr',
      kafka,
      concurrency: 2,
      shutdownDeadlineMs: 20_000,
    });
  });

  it('refuses an option out of bounds, by name', () => {
    expect(() => resolveSegmentSettings({ segment: 'hr', kafka, handlerTimeoutMs: 10 })).toThrow(
      /handlerTimeoutMs/,
    );
    expect(() => resolveSegmentSettings({ segment: ' ', kafka })).toThrow(/segment: is required/);
  });
});
