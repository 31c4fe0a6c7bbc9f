import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry } from 'kafkajs';
import { kafkaLogForwarder } from './kafka-log-forwarder';

interface Line {
  readonly level: 'error' | 'warn' | 'log' | 'debug';
  readonly message: string;
  readonly context: string;
}

class RecordingLogger implements LoggerService {
  readonly lines: Line[] = [];
  error(message: string, context: string) {
    this.lines.push({ level: 'error', message, context });
  }
  warn(message: string, context: string) {
    this.lines.push({ level: 'warn', message, context });
  }
  log(message: string, context: string) {
    this.lines.push({ level: 'log', message, context });
  }
  debug(message: string, context: string) {
    this.lines.push({ level: 'debug', message, context });
  }
}

function entry(
  level: logLevel,
  message: string,
  extra: Record<string, unknown> = {},
  namespace = 'Consumer',
): LogEntry {
  return {
    namespace,
    level,
    label: logLevel[level],
    log: { timestamp: '2026-01-01T00:00:00.000Z', message, ...extra },
  };
}

describe('kafkaLogForwarder', () => {
  let logger: RecordingLogger;
  let forward: (entry: LogEntry) => void;

  beforeEach(() => {
    logger = new RecordingLogger();
    forward = kafkaLogForwarder(logger, ['hunter2-but-longer'])(logLevel.DEBUG);
  });

  it.each([
    [logLevel.ERROR, 'error'],
    [logLevel.WARN, 'warn'],
    [logLevel.INFO, 'log'],
    [logLevel.DEBUG, 'debug'],
  ] as const)(
    'forwards kafkajs level %s to the Nest %s level, with the namespace as context',
    (level, nestLevel) => {
      forward(entry(level, 'Consumer has joined the group', { groupId: 'executor' }));

      expect(logger.lines).toEqual([
        {
          level: nestLevel,
          message: 'Consumer has joined the group {"groupId":"executor"}',
          context: 'kafkajs.Consumer',
        },
      ]);
    },
  );

  it('redacts fields with credential names and scrubs the password from every string', () => {
    forward(
      entry(logLevel.ERROR, 'SASL failed for hunter2-but-longer', {
        sasl: { mechanism: 'plain', username: 'executor', password: 'hunter2-but-longer' },
        password: 'hunter2-but-longer',
        broker: 'kafka-0:9092',
        detail: 'auth with hunter2-but-longer rejected',
      }),
    );

    const [line] = logger.lines;
    expect(line?.message).not.toContain('hunter2');
    expect(line?.message).toContain('"sasl":"[redacted]"');
    expect(line?.message).toContain('"password":"[redacted]"');
    expect(line?.message).toContain('"broker":"kafka-0:9092"');
    expect(line?.message).toContain('SASL failed for [redacted]');
  });

  it('turns errors, buffers, bigints and cycles into JSON', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle['self'] = cycle;
    const error = Object.assign(new Error('The coordinator is not available'), {
      type: 'COORDINATOR_NOT_AVAILABLE',
    });

    forward(entry(logLevel.WARN, 'Retrying', { error, payload: Buffer.from('abc'), offset: 12n, cycle }));

    const json = (logger.lines[0]?.message ?? '').replace(/^Retrying /, '');
    expect(JSON.parse(json)).toEqual({
      error: {
        name: 'Error',
        message: 'The coordinator is not available',
        type: 'COORDINATOR_NOT_AVAILABLE',
      },
      payload: '<3 bytes>',
      offset: '12',
      cycle: { name: 'loop', self: '[circular]' },
    });
  });

  it('keeps the deliberate bounded-retries warning at debug', () => {
    forward(
      entry(
        logLevel.WARN,
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
        {},
        'Producer',
      ),
    );

    expect(logger.lines).toEqual([
      {
        level: 'debug',
        message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
        context: 'kafkajs.Producer',
      },
    ]);
  });
});
