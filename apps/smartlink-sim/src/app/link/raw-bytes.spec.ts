import { decodeUtf8KeepingInvalidBytes } from '@smartlink/contract';
import { jsonWithRawBytes } from './raw-bytes';

describe('jsonWithRawBytes', () => {
  it('leaves JSON without kept bytes to the serializer', () => {
    expect(jsonWithRawBytes(JSON.stringify({ body: 'café \ufffd 😀' }))).toBeNull();
  });

  it('writes kept bytes back as the raw bytes they were, and the rest as UTF-8', () => {
    const published = Buffer.concat([
      Buffer.from('"café', 'utf8'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"'),
    ]);
    const json = JSON.stringify({ body: decodeUtf8KeepingInvalidBytes(published) });
    expect(json).toContain('\\udce9\\udcff');
    const wire = jsonWithRawBytes(json);
    expect(wire).toEqual(
      Buffer.concat([
        Buffer.from('{"body":"\\"café', 'utf8'),
        Buffer.from([0xe9, 0xff]),
        Buffer.from('\\""}'),
      ]),
    );
  });

  it('leaves an escaped backslash followed by "udce9" as text', () => {
    const json = JSON.stringify({ body: 'a \\udce9 b' });
    expect(json).toContain('\\\\udce9');
    expect(jsonWithRawBytes(json)).toBeNull();
  });
});
