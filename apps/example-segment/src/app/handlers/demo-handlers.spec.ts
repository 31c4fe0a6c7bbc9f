import {
  FatalSegmentError,
  type HandlerContext,
  type PublishInput,
  type SegmentMessage,
} from '@smartlink/segment-sdk';
import { PoisonFaults } from '../faults/poison-faults';
import { SucceededMessages } from '../stats/succeeded-messages';
import { DemoEmployeeUpdatedHandler } from './demo-employee-updated.handler';
import { DemoInvoiceIssuedHandler, InvoiceNotYetPayableError } from './demo-invoice-issued.handler';
import { DemoPingHandler } from './demo-ping.handler';

class RecordingLogger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

function message(command: string, data: string, attempt = 1): SegmentMessage {
  return {
    id: `${command}-1`,
    command,
    tenantId: 'tenant-1',
    correlatedId: null,
    attempt,
    data,
    receivedAt: '2026-11-28T10:00:00.000Z',
  };
}

function context(attempt = 1): HandlerContext & { logger: RecordingLogger; published: PublishInput[] } {
  const published: PublishInput[] = [];
  return {
    attempt,
    logger: new RecordingLogger(),
    signal: new AbortController().signal,
    published,
    publish: (input) => {
      published.push(input);
      return `id-${published.length}`;
    },
    reply: (input) => {
      published.push({ ...input, correlatedId: 'the-handled-message' });
      return `id-${published.length}`;
    },
  };
}

describe('DemoPing', () => {
  it('logs a pong, replies with a DemoPong for demo-app echoing the data, and succeeds', () => {
    const succeeded = new SucceededMessages();
    const ctx = context();

    new DemoPingHandler(succeeded).handle(message('DemoPing', '{"n":7}'), ctx);

    expect(ctx.logger.lines).toEqual(['info pong (attempt 1, tenant tenant-1)']);
    expect(ctx.published).toEqual([
      {
        command: 'DemoPong',
        audience: 'demo-app',
        data: JSON.stringify({ pong: 'DemoPing-1', echo: { n: 7 } }),
        correlatedId: 'the-handled-message',
      },
    ]);
    expect(succeeded.size).toBe(1);
  });

  it('echoes data that is not JSON as text', () => {
    const ctx = context();
    new DemoPingHandler(new SucceededMessages()).handle(message('DemoPing', 'hello'), ctx);
    expect(JSON.parse(ctx.published[0]?.data ?? '')).toEqual({ pong: 'DemoPing-1', echo: 'hello' });
  });
});

describe('DemoEmployeeUpdated', () => {
  /** The fault hooks as production has them: off. */
  const inert = () => new PoisonFaults({ enabled: false, kill: jest.fn(), note: jest.fn() });

  it('succeeds on JSON data', () => {
    const succeeded = new SucceededMessages();
    const ctx = context();

    const result = new DemoEmployeeUpdatedHandler(succeeded, inert()).handle(
      message('DemoEmployeeUpdated', '{"id":7,"name":"Ana"}'),
      ctx,
    );

    expect(result).toBeUndefined();
    expect(ctx.logger.lines).toEqual(['info employee update applied (2 field(s))']);
    expect(succeeded.size).toBe(1);
  });

  describe('when the data is not JSON', () => {
    it('fails fatally, since a retry cannot fix it', () => {
      const succeeded = new SucceededMessages();
      const handler = new DemoEmployeeUpdatedHandler(succeeded, inert());

      expect(() => handler.handle(message('DemoEmployeeUpdated', '<employee/>'), context())).toThrow(
        FatalSegmentError,
      );
      expect(() => handler.handle(message('DemoEmployeeUpdated', '<employee/>'), context())).toThrow(
        /^the employee data is not JSON/,
      );
      expect(succeeded.size).toBe(0);
    });
  });
});

describe('DemoInvoiceIssued', () => {
  const handler = () => new DemoInvoiceIssuedHandler(new SucceededMessages());

  it('succeeds without switches, and on data that is not JSON', () => {
    expect(() => handler().handle(message('DemoInvoiceIssued', '{"number":1}'), context())).not.toThrow();
    expect(() => handler().handle(message('DemoInvoiceIssued', 'INV-1'), context())).not.toThrow();
  });

  describe('with "failAttempts": 2', () => {
    const data = '{"failAttempts":2}';

    it('fails retryably on attempts 1 and 2, and succeeds on attempt 3', () => {
      const h = handler();
      expect(() => h.handle(message('DemoInvoiceIssued', data, 1), context(1))).toThrow(
        InvoiceNotYetPayableError,
      );
      expect(() => h.handle(message('DemoInvoiceIssued', data, 2), context(2))).toThrow(
        'invoice not payable yet (attempt 2 of 2 meant to fail)',
      );
      expect(() => h.handle(message('DemoInvoiceIssued', data, 3), context(3))).not.toThrow();
    });

    it('fails with an error that is not fatal', () => {
      expect(() => handler().handle(message('DemoInvoiceIssued', data), context())).toThrow(
        expect.not.objectContaining({ code: 'SEGMENT_FATAL' }),
      );
    });
  });

  describe('with "fatal": true', () => {
    it('fails fatally on every attempt', () => {
      const h = handler();
      for (const attempt of [1, 5]) {
        expect(() =>
          h.handle(message('DemoInvoiceIssued', '{"fatal":true}', attempt), context(attempt)),
        ).toThrow(FatalSegmentError);
      }
    });
  });
});
