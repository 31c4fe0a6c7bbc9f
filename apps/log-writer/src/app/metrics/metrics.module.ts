import { Module } from '@nestjs/common';
import { LogWriterCounters } from './log-writer-counters';
import { StatsController } from './stats.controller';

/** The log-writer's counters, one instance for the whole app, and `GET /stats`. */
@Module({
  controllers: [StatsController],
  providers: [LogWriterCounters],
  exports: [LogWriterCounters],
})
export class MetricsModule {}
