import type { SimMessage } from '@smartlink/testing';

/** The commands of the run: all three handlers of the example segment. */
export const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'] as const;

/**
 * The n-th valid message of a run: pings (answered upstream with a DemoPong), employee updates in both envelope
 * styles, invoices, and every tenth an invoice that fails its first attempt so the retry scheduler has work.
 */
export function validMessage(run: string, n: number): SimMessage {
  const id = `${run}-${n}`;
  switch (n % 10) {
    case 0:
    case 1:
      return { style: 'cloudevents', type: 'DemoPing', id, data: { n } };
    case 2:
    case 3:
    case 4:
      return { style: 'cloudevents', type: 'DemoEmployeeUpdated', id, data: { n, name: `employee ${n}` } };
    case 5:
      // TOTVS style: the message id is the broker's.
      return { style: 'totvs', type: 'DemoEmployeeUpdated', content: { n }, transactionId: id };
    case 9:
      return { style: 'cloudevents', type: 'DemoInvoiceIssued', id, data: { n, failAttempts: 1 } };
    default:
      return { style: 'cloudevents', type: 'DemoInvoiceIssued', id, data: { n } };
  }
}

/** A message the client must refuse: dead-lettered with an error log, acked, never executed. */
export interface BadInput {
  readonly name: string;
  readonly message: SimMessage;
}

const envelope = (fields: Record<string, unknown>): string =>
  JSON.stringify({ specversion: '1.0', source: 'reliability', ...fields });

/** Bad input that arrives in the same batches as good messages. */
export function badInputs(run: string): BadInput[] {
  return [
    {
      name: 'malformed JSON',
      message: { raw: `{"specversion":"1.0","id":"${run}-bad-json","type":"DemoPing"` },
    },
    { name: 'not a JSON object', message: { raw: '[1,2,3]' } },
    { name: 'unknown envelope', message: { raw: JSON.stringify({ hello: 'world', id: `${run}-bad-env` }) } },
    { name: 'missing type', message: { raw: envelope({ id: `${run}-bad-notype`, data: {} }) } },
    { name: 'missing data', message: { raw: envelope({ id: `${run}-bad-nodata`, type: 'DemoPing' }) } },
    {
      name: 'oversize body (1.2 MiB)',
      message: { raw: envelope({ id: `${run}-bad-big`, type: 'DemoPing', data: 'x'.repeat(1_200_000) }) },
    },
    {
      name: 'illegal command name (path)',
      message: { raw: envelope({ id: `${run}-bad-cmd1`, type: '../../etc/passwd', data: {} }) },
    },
    {
      name: 'illegal command name (topic injection)',
      message: { raw: envelope({ id: `${run}-bad-cmd2`, type: 'DemoPing,__consumer_offsets', data: {} }) },
    },
    {
      name: 'invalid UTF-8 (a Latin-1 byte in the body)',
      message: {
        rawBase64: Buffer.from(
          envelope({ id: `${run}-bad-utf8`, type: 'DemoPing', data: 'caf\u00e9' }),
          'latin1',
        ).toString('base64'),
      },
    },
    {
      name: 'illegal command name (too long)',
      message: { raw: envelope({ id: `${run}-bad-cmd3`, type: 'A'.repeat(300), data: {} }) },
    },
  ];
}

/**
 * Odd but valid input: executed like any message. A CloudEvents envelope without `id` takes the broker's message
 * id; text that is not well-formed Unicode (a lone surrogate) is carried with U+FFFD in its place.
 */
export function oddButValid(run: string): OddButValid[] {
  return [
    { name: 'no envelope id', message: { raw: envelope({ type: 'DemoEmployeeUpdated', data: { odd: 1 } }) } },
    {
      name: 'lone surrogate in data',
      message: { raw: envelope({ id: `${run}-odd-utf`, type: 'DemoPing', data: 'bad \ud800 text' }) },
      // The simulator cannot read a raw body, so it reports the broker's id; the envelope's is the message's.
      id: `${run}-odd-utf`,
    },
  ];
}

/** A message executed like any other although something about it is unusual. */
export interface OddButValid {
  readonly name: string;
  readonly message: SimMessage;
  /** The id the client gives the message, when it is not the one the simulator reports. */
  readonly id?: string;
}
