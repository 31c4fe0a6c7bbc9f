import { Controller, Get } from '@nestjs/common';
import { LogWriterCounters } from './log-writer-counters';

/** `GET /stats`: the counters as JSON, for operators and the end-to-end tests. */
@Controller('stats')
export class StatsController {
  constructor(private readonly counters: LogWriterCounters) {}

  @Get()
  stats(): LogWriterCounters {
    return { ...this.counters };
  }
}
