import { MessageLimits } from '@smartlink/common';
import { SmartLinkHeaders, outboundMessageCodec } from '@smartlink/messaging';
import { InvalidPublishError } from '../errors/invalid-publish-error';
import { outboundDraft } from './outbound-draft';
import type { PublishInput } from './publish-input';

const valid: PublishInput = { command: 'DemoPong', audience: 'demo-app', data: '{"ok":true}' };

describe('outboundDraft', () => {
  it('builds the outbound record keyed by the id, with the message id, command and correlation headers', () => {
    const draft = outboundDraft({ ...valid, correlatedId: 'cloud-7' }, 'up-1', 1_024);

    expect(draft.id).toBe('up-1');
    expect(draft.record.key).toBe('up-1');
    expect(draft.record.headers).toMatchObject({
      [SmartLinkHeaders.messageId]: 'up-1',
      [SmartLinkHeaders.command]: 'DemoPong',
      [SmartLinkHeaders.correlationId]: 'cloud-7',
    });
    expect(outboundMessageCodec.decode(Buffer.from(draft.record.value))).toEqual({
      ok: true,
      value: { ...valid, correlatedId: 'cloud-7' },
    });
  });

  it('leaves the correlation id out when none is given', () => {
    const draft = outboundDraft(valid, 'up-1', 1_024);
    expect(draft.message).toEqual(valid);
    expect(draft.record.headers).not.toHaveProperty(SmartLinkHeaders.correlationId);
  });

  it('accepts data of exactly the byte bound, counted in UTF-8', () => {
    const data = 'ç'.repeat(512); // 2 bytes each
    expect(outboundDraft({ ...valid, data }, 'up-1', 1_024).message.data).toBe(data);
  });

  it.each<[string, Partial<PublishInput> | null, string, RegExp]>([
    ['an illegal command', { command: 'a/b' }, 'command', /is illegal/],
    ['a command too long', { command: 'x'.repeat(MessageLimits.COMMAND + 1) }, 'command', /at most 100/],
    ['an illegal audience', { audience: '../admin' }, 'audience', /is illegal/],
    ['data that is not a string', { data: { a: 1 } as unknown as string }, 'data', /must be a string/],
    ['data over the byte bound', { data: 'ç'.repeat(513) }, 'data', /1026 bytes, at most 1024/],
    ['data with a NUL character', { data: 'a\u0000b' }, 'data', /NUL/],
    ['an empty correlation id', { correlatedId: '' }, 'correlatedId', /non-empty/],
    [
      'a correlation id too long',
      { correlatedId: 'c'.repeat(MessageLimits.CORRELATED_ID + 1) },
      'correlatedId',
      /at most 512/,
    ],
    ['no input at all', null, '(input)', /must be an object/],
  ])('refuses %s, naming the field, before anything is built', (_label, change, field, reason) => {
    const input = (change === null ? null : { ...valid, ...change }) as PublishInput;
    let error: unknown;
    try {
      outboundDraft(input, 'up-1', 1_024);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPublishError);
    expect(error).toMatchObject({ code: 'INVALID_PUBLISH', retriable: false, field });
    expect((error as Error).message).toMatch(reason);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['too long', 'x'.repeat(MessageLimits.MESSAGE_ID + 1)],
    ['non-ASCII', 'ação'],
  ])('refuses an id that is %s', (_label, id) => {
    expect(() => outboundDraft(valid, id, 1_024)).toThrow(expect.objectContaining({ field: 'id' }));
  });
});
