import type { DeployedMemory } from '../system/deployed-memory';
import type {
  LatencyFigures,
  RetryFigures,
  ThroughputFigures,
  UpstreamFigures,
} from '../analysis/event-analysis';
import type { RecordsPerMessage } from '../analysis/records-per-message';
import type { ClientRunFigures, ReadBackCheck } from '../limits/client-figures';
import type { ProducerPerfReport } from '../limits/producer-perf-report';
import type { UsageSummary } from '../resources/usage-summary';

/** The machine a run measured, as the report states it. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly kafka: string;
  readonly database: string;
}

/** The raw Kafka producer (kafka-producer-perf-test, acks=all) at full speed and at the latency run's load. */
export interface KafkaLimit {
  readonly partitions: number;
  readonly recordBytes: number;
  readonly full: ProducerPerfReport;
  readonly atLatencyRate: ProducerPerfReport | null;
}

/** One timed run of a raw Kafka client: its figures, or the error that ended it. */
export interface ClientRun {
  readonly figures: ClientRunFigures | null;
  readonly error: string | null;
}

/** The idempotent producer with several sends in flight, and what it left on its topic. */
export interface ClientInFlightRun extends ClientRun {
  /** Sends outstanding at once, and the requests in flight asked of the client. */
  readonly inFlight: number;
  /** Records of the sends that resolved (the warm-up's included). */
  readonly acknowledged: number;
  /** The topic read back afterwards; null if it could not be read. */
  readonly readBack: ReadBackCheck | null;
  readonly readBackError: string | null;
}

/**
 * A Kafka client library on its own (no libs/messaging), in a process of its own: records of `recordBytes` with
 * a 36-byte key, `batchRecords` per send, idempotent producer, acks=all. CPU is that process's, per 1,000 records.
 */
export interface KafkaClientLimit {
  readonly client: string;
  readonly version: string;
  readonly partitions: number;
  readonly records: number;
  readonly recordBytes: number;
  readonly batchRecords: number;
  /** Records sent (one at a time) before the clock starts: connections, producer id and metadata, JIT. */
  readonly warmUpRecords: number;
  /** One send at a time. */
  readonly produce: ClientRun;
  readonly produceInFlight: ClientInFlightRun;
  /** A new group reading the produce run's topic from the start (warm-up records included), committing nothing. */
  readonly consume: ClientRun;
  readonly consumeMode: string;
}

/** The database's batched insert rate into a table shaped like GTOTVSLINKMESSAGEEXEC. */
export interface DatabaseLimit {
  readonly database: string;
  readonly rows: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly rowsPerSec: number;
}

export interface LogWriterFigures {
  readonly rows: number;
  readonly windowMs: number;
  readonly rowsPerSec: number | null;
}

/** Machine load (1-minute load average) around and during the measurements. */
export interface LoadInfo {
  /** Cores the whole machine kept busy, whoever used them, while idle and in the downstream run (NaN: unknown). */
  readonly idleBusyCores: number;
  readonly loadBusyCores: number;
  readonly before: readonly number[];
  readonly duringMax1m: number | null;
  readonly duringMean1m: number | null;
  readonly after: readonly number[];
}

/** Everything one run measured: written as JSON, and the source of the markdown report and the chart. */
export interface BenchResult {
  readonly schema: 'smartlink-bench/v1';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  /** The commit the run measured (`-dirty`: with uncommitted changes); absent from results of older runs. */
  readonly commit?: string;
  readonly machine: MachineInfo;
  readonly load: LoadInfo;
  readonly settings: {
    readonly database: string;
    readonly messages: number;
    readonly messageBytes: number;
    readonly latencyRate: number;
    readonly latencySeconds: number;
    readonly upstreamMessages: number;
    readonly retryMessages: number;
    readonly retryDelayMs: number;
    readonly logRows: number;
    /** Settings given to services beyond their defaults (`--set`); empty for a run of the shipped defaults. */
    readonly serviceSettings: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /**
     * The memory settings the client services and the example segment ran with, as deployed (docker/k8s NODE_OPTIONS,
     * docker/Dockerfile MALLOC_*); absent from results of runs before 2026-12-07 23:00, which ran without them unless
     * `serviceSettings` says otherwise.
     */
    readonly deployedMemory?: DeployedMemory;
  };
  readonly limits: {
    readonly kafka: KafkaLimit | null;
    /** Each Kafka client library on its own; absent from results of runs before they were measured. */
    readonly clients?: readonly KafkaClientLimit[] | null;
    readonly database: DatabaseLimit | null;
  };
  /** The headline: downstream sustained throughput, first get to last successful outcome. */
  readonly downstreamMsgPerSec: number | null;
  readonly downstream: ThroughputFigures | null;
  /**
   * Kafka records the downstream run produced (end offsets of the namespace's topics) and consumed (commits of its
   * consumer groups) per message handled, by topic and by group. Absent from results of runs before it was counted.
   */
  readonly recordsPerMessage?: RecordsPerMessage | null;
  /** The same for the retry run, whose messages take two attempts each (the first fails). */
  readonly recordsPerRetriedMessage?: RecordsPerMessage | null;
  readonly latency: LatencyFigures | null;
  readonly upstream: UpstreamFigures | null;
  readonly retries: RetryFigures | null;
  readonly logWriter: LogWriterFigures | null;
  /** Per service: idle (before the load) and under load (the downstream run). */
  readonly resources: Readonly<
    Record<string, { readonly idle: UsageSummary | null; readonly load: UsageSummary | null }>
  >;
  /** What went wrong in a part of the run that could not be measured. */
  readonly problems: readonly string[];
}
