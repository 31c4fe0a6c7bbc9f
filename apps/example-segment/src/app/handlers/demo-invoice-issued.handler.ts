import { Injectable } from '@nestjs/common';
import {
  FatalSegmentError,
  OnCommand,
  type HandlerContext,
  type SegmentMessage,
} from '@smartlink/segment-sdk';
import { z } from 'zod';
import { SucceededMessages } from '../stats/succeeded-messages';

/** Switches a test puts in an invoice's data to make the handler fail on purpose. */
const InvoiceSwitchesSchema = z.looseObject({
  /** Fail (retryably) on attempts 1..failAttempts, succeed after. */
  failAttempts: z.number().int().min(0).optional(),
  /** Fail fatally on every attempt. */
  fatal: z.boolean().optional(),
});

/** A retryable failure the handler throws on purpose; the SDK reports any error that is not fatal as `failed`. */
export class InvoiceNotYetPayableError extends Error {
  constructor(attempt: number, failAttempts: number) {
    super(`invoice not payable yet (attempt ${attempt} of ${failAttempts} meant to fail)`);
    this.name = 'InvoiceNotYetPayableError';
  }
}

/**
 * `DemoInvoiceIssued`: succeeds, unless its JSON data asks otherwise — `"failAttempts": k` fails attempts 1..k with a
 * retryable error, `"fatal": true` fails fatally. End-to-end tests drive retries and dead letters with it. Data that
 * is not JSON, or has no switches, simply succeeds.
 */
@Injectable()
export class DemoInvoiceIssuedHandler {
  constructor(private readonly succeeded: SucceededMessages) {}

  @OnCommand('DemoInvoiceIssued')
  handle(message: SegmentMessage, { logger }: HandlerContext): void {
    const switches = readSwitches(message.data);
    if (switches.fatal) throw new FatalSegmentError('the invoice was marked fatal by its data');
    if (switches.failAttempts !== undefined && message.attempt <= switches.failAttempts) {
      throw new InvoiceNotYetPayableError(message.attempt, switches.failAttempts);
    }
    logger.info(`invoice issued (attempt ${message.attempt})`);
    this.succeeded.add(message.id);
  }
}

function readSwitches(data: string): z.infer<typeof InvoiceSwitchesSchema> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return {};
  }
  const parsed = InvoiceSwitchesSchema.safeParse(json);
  return parsed.success ? parsed.data : {};
}
