import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaLease } from '@smartlink/messaging';
import { AppModule } from '../../src/app/app.module';
import { Backpressure } from '../../src/app/backlog/backpressure';
import { loadPollerSettings } from '../../src/app/poller-settings';
import { PollerStatus, type PollerCounters } from '../../src/app/poller-status';

/** Collects every log line of the apps in this process (Nest loggers share one static instance). */
export class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string) {
    this.lines.push(`LOG [${context ?? ''}] ${String(message)}`);
  }
  warn(message: unknown, context?: string) {
    this.lines.push(`WARN [${context ?? ''}] ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.lines.push(`ERROR ${String(message)} ${rest.map(String).join(' ')}`);
  }
  debug() {
    // Debug lines are not asserted on; dropping them keeps failure output short.
  }
  verbose() {
    // As debug.
  }
}

/** Settings every poller under test shares: the test broker, quick Kafka retries, a short lease session. */
export function baseEnv(namespace: string): Record<string, string> {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run these tests through `nx run poller:integration`');
  return {
    KAFKA_BROKERS: brokers,
    KAFKA_CLIENT_ID: 'poller-it',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    KAFKA_LOG_LEVEL: 'warn',
    SMARTLINK_TOPIC_NAMESPACE: namespace,
    LEASE_SESSION_TIMEOUT_MS: '6000',
    HTTP_PORT: '0',
  };
}

/** A poller app booted in this process, as main.ts boots it, listening on a free port. */
export class PollerApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>, logger: LoggerService): Promise<PollerApp> {
    const settings = loadPollerSettings(env);
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(settings),
      new FastifyAdapter(),
      {
        logger,
      },
    );
    await app.listen(0, '127.0.0.1');
    return new PollerApp(app, await app.getUrl());
  }

  counters(): PollerCounters {
    return this.app.get(PollerStatus).snapshot();
  }

  lease(): KafkaLease {
    return this.app.get(KafkaLease);
  }

  backpressure(): Backpressure {
    return this.app.get(Backpressure);
  }

  async health(path: 'live' | 'ready'): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.url}/health/${path}`);
    return { status: response.status, body: await response.text() };
  }

  /** What SIGTERM does in production: the shutdown hooks, then the HTTP server closes. */
  close(): Promise<void> {
    return this.app.close();
  }
}
