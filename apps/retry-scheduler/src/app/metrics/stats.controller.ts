import { Controller, Get } from '@nestjs/common';
import {
  RetryPolicyLoader,
  type EffectiveRetrySettings,
  type RetryPolicyOrigin,
} from '@smartlink/retry-policy';
import { RetrySchedulerCounters } from './retry-scheduler-counters';

/** `GET /stats`: the counters, and the retry policy in force with where it came from. */
@Controller('stats')
export class StatsController {
  constructor(
    private readonly counters: RetrySchedulerCounters,
    private readonly policy: RetryPolicyLoader,
  ) {}

  @Get()
  stats(): {
    counters: RetrySchedulerCounters;
    policy: { origin: RetryPolicyOrigin; retry: EffectiveRetrySettings; commands: string[] };
  } {
    const current = this.policy.current();
    return {
      counters: this.counters,
      policy: {
        origin: this.policy.currentOrigin(),
        retry: current.settingsFor(''),
        commands: Object.keys(current.document.commands ?? {}),
      },
    };
  }
}
