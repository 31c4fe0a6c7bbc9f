import { Controller, Get } from '@nestjs/common';
import { ExecutorCounters } from './executor-counters';

/** `GET /stats`: the executor's counters as JSON, for operators (the same numbers are on `/metrics`). */
@Controller('stats')
export class StatsController {
  constructor(private readonly counters: ExecutorCounters) {}

  @Get()
  stats(): ExecutorCounters {
    return { ...this.counters };
  }
}
