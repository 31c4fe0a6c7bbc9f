import { SettingsError } from '@smartlink/common';
import {
  DEFAULT_EXAMPLE_SEGMENT_HTTP_PORT,
  DEFAULT_EXAMPLE_SEGMENT_NAME,
  loadExampleSegmentSettings,
} from './example-segment-settings';

describe('loadExampleSegmentSettings', () => {
  it('boots on the defaults: its own port, segment "example", the local broker', () => {
    const settings = loadExampleSegmentSettings({});
    expect(settings.http.port).toBe(DEFAULT_EXAMPLE_SEGMENT_HTTP_PORT);
    expect(settings.segment.segment).toBe(DEFAULT_EXAMPLE_SEGMENT_NAME);
    expect(settings.segment.kafka.brokers).toEqual(['localhost:19092']);
  });

  it('takes SEGMENT_NAME and the SDK settings from the environment', () => {
    const settings = loadExampleSegmentSettings({ SEGMENT_NAME: 'hr', SEGMENT_CONCURRENCY: '3' });
    expect(settings.segment).toMatchObject({ segment: 'hr', concurrency: 3 });
  });

  it('stops start-up on a bad value, saying which setting', () => {
    expect(() => loadExampleSegmentSettings({ SEGMENT_HANDLER_TIMEOUT_MS: '-1' })).toThrow(SettingsError);
    expect(() => loadExampleSegmentSettings({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
  });
});
