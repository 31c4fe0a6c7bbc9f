import { logRecordRecord, type EventRecord } from '@smartlink/messaging';
import type { LogWriterFigures } from '../report/bench-result';
import { perSecond } from '../stats/rates';
import { sleep, type BenchContext } from './bench-context';

const SEND_CHUNK = 1_000;
const READ_EVERY_MS = 200;

/**
 * Log-writer throughput with a backlog: the log writer is stopped, `logRows` records are put on `<ns>.logs`, and the
 * writer is started again. Its rate is what GTOTVSLINKLOG grows by between the first and the last reading that saw
 * new rows (read every 200 ms from the moment it starts), so its start-up time does not count against it.
 */
export async function logWriterRun(context: BenchContext): Promise<LogWriterFigures | null> {
  const { system, options, client, progress } = context;
  const total = options.logRows;
  if (total === 0) return null;
  const producer = client.createProducer();
  let watching: Promise<LogWriterFigures> | null = null;
  try {
    await system.restart('log-writer', async () => {
      const before = await system.tables.logs.count();
      progress(`log writer: stopped; putting ${total.toLocaleString('en-US')} log records on its topic`);
      const date = new Date().toISOString();
      for (let start = 0; start < total; start += SEND_CHUNK) {
        const records: EventRecord[] = [];
        for (let i = start; i < Math.min(total, start + SEND_CHUNK); i += 1) {
          records.push(
            logRecordRecord({ type: 0, message: `bench log record ${i} of ${total}`, date, source: 'bench' }),
          );
        }
        await producer.send(client.topics.logs, records);
      }
      progress('log writer: starting it again');
      watching = watchRows(context, before, total);
      watching.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    });
  } finally {
    await producer.disconnect();
  }
  return (watching as Promise<LogWriterFigures> | null) ?? null;
}

async function watchRows(context: BenchContext, before: number, total: number): Promise<LogWriterFigures> {
  let first: { at: number; count: number } | null = null;
  let last: { at: number; count: number } | null = null;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const count = (await context.system.tables.logs.count()) - before;
    const at = Date.now();
    if (count > 0) {
      first ??= { at, count };
      if (count > (last?.count ?? 0)) last = { at, count };
      if (count >= total) break;
    }
    await sleep(READ_EVERY_MS);
  }
  if (!first || !last || last.count < total) {
    throw new Error(`log writer: ${last?.count ?? 0} of ${total} rows written after 300 s`);
  }
  const rows = last.count - first.count;
  const windowMs = last.at - first.at;
  return { rows, windowMs, rowsPerSec: perSecond(rows, windowMs) };
}
