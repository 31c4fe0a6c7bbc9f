import { nameBasedUuid } from './name-based-uuid';
import { handlerPublishId } from './reply-message-id';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('nameBasedUuid', () => {
  it('matches the published UUIDv5 of www.example.com in the DNS namespace', () => {
    expect(nameBasedUuid(DNS_NAMESPACE, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is a version 5, RFC-variant UUID that depends on the name', () => {
    const a = nameBasedUuid(DNS_NAMESPACE, 'a');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid(DNS_NAMESPACE, 'b')).not.toBe(a);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedUuid('not-a-uuid', 'x')).toThrow(TypeError);
  });
});

describe('handlerPublishId', () => {
  it('is the same for the same handled message and position, whatever the run', () => {
    expect(handlerPublishId('msg-1', 1)).toBe(handlerPublishId('msg-1', 1));
  });

  it('differs by position and by handled message', () => {
    const ids = new Set([
      handlerPublishId('msg-1', 1),
      handlerPublishId('msg-1', 2),
      handlerPublishId('msg-2', 1),
      handlerPublishId('msg-11', 1),
    ]);
    expect(ids.size).toBe(4);
  });
});
