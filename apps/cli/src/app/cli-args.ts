import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cli-usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads a command's options with node's parseArgs, strictly: unknown options and stray arguments are refused as a
 * {@link CliUsageError}. parseArgs names the option, never its value, except for a stray argument, which is not
 * repeated here: it may be a secret typed in the wrong place.
 */
export function parseCliArgs<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new CliUsageError('unexpected argument: every value follows its option, e.g. --client-id <id>');
    }
    throw new CliUsageError(typeof message === 'string' ? message : String(error));
  }
}
