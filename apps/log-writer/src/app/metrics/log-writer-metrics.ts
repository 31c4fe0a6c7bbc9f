import { exposeCounters, type MetricsRegistry } from '@smartlink/metrics';
import type { LogWriterCounters } from './log-writer-counters';

/** The log-writer's counters (`GET /stats`) as Prometheus counters, `smartlink_log_writer_<field>_total`. */
export function exposeLogWriterCounters(registry: MetricsRegistry, counters: LogWriterCounters): void {
  exposeCounters(registry, () => counters, {
    consumed: m('consumed', 'Records read from <ns>.logs (redeliveries included)'),
    written: m('written', 'Rows written to GTOTVSLINKLOG'),
    insertBatches: m('insert_batches', 'Inserts that wrote a chunk'),
    undecodable: m('undecodable', 'Records that could not be read as a log record: skipped'),
    repaired: m('repaired', 'Records written after a value no column could hold was repaired'),
    failedInserts: m('failed_inserts', 'Inserts that failed; the chunk was written again later'),
    outages: m('outages', 'Times the database was found unusable and consumption paused'),
    purgeRuns: m('purge_runs', 'Retention purge runs done on this replica'),
    purgedAttempts: m('purged_attempts', 'GTOTVSLINKMESSAGEEXEC rows purged'),
    purgedLogs: m('purged_logs', 'GTOTVSLINKLOG rows purged'),
    failedPurges: m('failed_purges', 'Purge runs that failed'),
  });
}

function m(field: string, help: string) {
  return { name: `smartlink_log_writer_${field}_total`, help };
}
