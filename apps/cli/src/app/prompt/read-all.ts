/** The most standard input the CLI reads: a secret is short, a wrong pipe is not. */
export const MAX_STDIN_BYTES = 64 * 1024;

/** Reads a stream to its end as UTF-8; more than `maxBytes` is refused, so a wrong pipe cannot fill memory. */
export async function readAll(
  input: AsyncIterable<unknown>,
  maxBytes: number = MAX_STDIN_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) throw new RangeError(`standard input is longer than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
