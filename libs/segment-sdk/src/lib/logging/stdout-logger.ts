import type { Logger } from '@nestjs/common';

/** The part of a Nest `Logger` the SDK writes stdout lines with; a typed double in unit tests. */
export type StdoutLogger = Pick<Logger, 'log' | 'warn' | 'error' | 'debug'>;
