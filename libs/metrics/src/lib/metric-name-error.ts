import { SmartLinkError } from '@smartlink/common';

/** A metric named outside our convention. Never retriable: it is a programming error. */
export class MetricNameError extends SmartLinkError {
  constructor(name: string, suffix?: string) {
    super(
      'ILLEGAL_METRIC_NAME',
      `Illegal metric name ${JSON.stringify(name)}: use smartlink_ followed by lower-case snake case` +
        (suffix ? `, ending in ${suffix}` : '') +
        ', with the unit in the name (_seconds, _bytes, _messages)',
      false,
    );
  }
}
