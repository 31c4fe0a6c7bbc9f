import { IllegalCommandNameError, MAX_SETUP_SUBSCRIPTIONS, parseCommandName } from '@smartlink/contract';
import { CliUsageError } from '../cli-usage-error';

/**
 * Reads a comma-separated command list by the poller's rules for SMARTLINK_SUBSCRIPTIONS: entries trimmed, empty ones
 * and repeats dropped, order kept, at least one and at most MAX_SETUP_SUBSCRIPTIONS legal command names. What the
 * wizard sets up is then exactly what the poller will set up again at every start.
 */
export function parseSubscriptionList(text: string): string[] {
  const names = [
    ...new Set(
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    ),
  ];
  if (names.length === 0) throw new CliUsageError('no command given to subscribe: --commands A,B,...');
  if (names.length > MAX_SETUP_SUBSCRIPTIONS) {
    throw new CliUsageError(`${names.length} commands to subscribe, at most ${MAX_SETUP_SUBSCRIPTIONS}`);
  }
  const problems: string[] = [];
  for (const name of names) {
    try {
      parseCommandName(name);
    } catch (error) {
      if (!(error instanceof IllegalCommandNameError)) throw error;
      const quoted = JSON.stringify(name);
      problems.push(error.reason.startsWith(quoted) ? error.reason : `${quoted}: ${error.reason}`);
    }
  }
  if (problems.length > 0) throw new CliUsageError(`illegal command name: ${problems.join('; ')}`);
  return names;
}
