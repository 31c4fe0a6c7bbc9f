import { Readable } from 'node:stream';
import { readAll } from './read-all';

describe('readAll', () => {
  it('reads a stream to its end as UTF-8', async () => {
    await expect(readAll(Readable.from([Buffer.from('ação'), Buffer.from('\nnext\n')]))).resolves.toBe(
      'ação\nnext\n',
    );
  });

  it('refuses more than the limit', async () => {
    await expect(readAll(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), 15)).rejects.toThrow(
      'standard input is longer than 15 bytes',
    );
  });
});
