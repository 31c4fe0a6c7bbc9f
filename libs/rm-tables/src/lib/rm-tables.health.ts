import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RM_TABLES_DEFAULTS } from './rm-tables.defaults';

/** Options of {@link RmTablesHealthIndicator.isHealthy}. */
export interface RmTablesHealthOptions {
  /** A `SELECT 1` slower than this counts as down. */
  readonly timeoutMs?: number;
}

/**
 * Terminus indicator for readiness probes: the database answers `SELECT 1` within the timeout. A hung database
 * fails the probe instead of hanging it. The result carries the failure's message only (driver messages name host
 * and port at most, never credentials).
 */
@Injectable()
export class RmTablesHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  /** `{ [key]: { status: 'up' } }`, or `down` with a `message`; never throws. */
  async isHealthy<const Key extends string = 'database'>(
    key: Key = 'database' as Key,
    { timeoutMs = RM_TABLES_DEFAULTS.healthTimeoutMs }: RmTablesHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to SELECT 1 within ${timeoutMs} ms`)), timeoutMs);
  });
  // The query may still fail after the timeout won; nobody awaits it then, so swallow that late rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
