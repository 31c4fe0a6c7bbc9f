import { SecretValue, SettingsError, type SettingsSource } from '@smartlink/common';
import {
  SmartLinkSettingsSchema,
  createSmartLinkClient,
  parseSmartLinkSettings,
  type SmartLinkSettings,
  type SmartLinkTransport,
} from '@smartlink/contract';
import { CliExitCode } from '../cli-exit-code';
import type { CliIo } from '../cli-io';
import { CliUsageError } from '../cli-usage-error';
import { PromptCancelledError } from '../prompt/prompt-cancelled-error';
import { ACTIVATE_USAGE, parseActivateOptions, type ActivateOptions } from './activate-options';
import { formatActivationReport } from './activation-report';
import { explainCloudFailure } from './cloud-failure';
import { parseSubscriptionList } from './subscription-list';

/** The settings the wizard decides itself; any other SMARTLINK_* setting in the environment is passed through. */
const WIZARD_KEYS = new Set([
  'SMARTLINK_RAC_URL',
  'SMARTLINK_API_URL',
  'SMARTLINK_CLIENT_ID',
  'SMARTLINK_CLIENT_SECRET',
]);

/** What the wizard works with once flags, environment and prompts are read. */
interface ActivationInput {
  readonly clientId: string;
  readonly clientSecret: SecretValue;
  readonly subscriptions: readonly string[];
}

/**
 * `activate`: reads the credentials and commands (flags, environment, or the terminal), gets a RAC token with them
 * through the contract lib's client, shows the tenant of the token, sets up the tenant queue with the commands, and
 * prints the Kubernetes Secret and ConfigMap for the services. Resolves with the exit code; never throws for a
 * failure an operator can fix, and never prints the secret unless asked to. `connect` builds the cloud client (the
 * REST client of the contract lib; tests pass a double).
 */
export async function runActivate(
  argv: readonly string[],
  env: SettingsSource,
  io: CliIo,
  connect: (settings: SmartLinkSettings) => SmartLinkTransport = createSmartLinkClient,
): Promise<number> {
  let options: ActivateOptions;
  let input: ActivationInput;
  let settings: SmartLinkSettings;
  let cloud: [string, string][];
  let client: SmartLinkTransport;
  try {
    options = parseActivateOptions(argv, env);
    if (options.help) {
      io.stdout(`${ACTIVATE_USAGE}\n`);
      return CliExitCode.Ok;
    }
    input = await gatherInput(options, io);
    settings = parseSmartLinkSettings({
      ...env,
      SMARTLINK_RAC_URL: options.racUrl,
      SMARTLINK_API_URL: options.apiUrl,
      SMARTLINK_CLIENT_ID: input.clientId,
      SMARTLINK_CLIENT_SECRET: input.clientSecret.reveal(),
    });
    cloud = cloudEntries(settings, env);
    client = connect(settings);
  } catch (error) {
    if (error instanceof PromptCancelledError) {
      io.stderr('Cancelled.\n');
      return CliExitCode.Cancelled;
    }
    if (error instanceof CliUsageError || error instanceof SettingsError) {
      io.stderr(`${error.message}\n\nRun \`activate --help\` for the options.\n`);
      return CliExitCode.Usage;
    }
    throw error;
  }

  const where = {
    racUrl: settings.SMARTLINK_RAC_URL,
    apiUrl: settings.SMARTLINK_API_URL,
    clientId: input.clientId,
  };
  try {
    io.stderr(`Checking client ${JSON.stringify(input.clientId)} with RAC at ${where.racUrl} ...\n`);
    const tenantId = await client.tenantId();
    io.stderr(`RAC accepted the credentials: tenant ${tenantId}\n`);
    io.stderr(`Setting up the tenant queue at ${where.apiUrl} ...\n\n`);
    const setup = await client.setup(input.subscriptions);
    io.stdout(
      formatActivationReport(
        {
          tenantId: setup.tenantId,
          clientId: input.clientId,
          clientSecret: input.clientSecret,
          subscriptions: setup.subscriptions,
          cloud,
        },
        options,
      ),
    );
    return CliExitCode.Ok;
  } catch (error) {
    const failure = explainCloudFailure(error, where);
    io.stderr(`${failure.message}\n`);
    return failure.exitCode;
  } finally {
    await client.close();
  }
}

/** Flags and environment first; what is still missing is asked on the terminal, or is a usage error without one. */
async function gatherInput(options: ActivateOptions, io: CliIo): Promise<ActivationInput> {
  // Checked before anything is asked, so a typo in --commands does not cost the operator the secret typed first.
  let subscriptions = options.commands === undefined ? undefined : parseSubscriptionList(options.commands);
  // Standard input that carries the secret is not a terminal to ask on.
  const canAsk = io.prompt.interactive && options.secret.from !== 'stdin';

  const clientId =
    options.clientId ??
    (canAsk
      ? await io.prompt.ask('Client ID: ')
      : missing('clientId', '--client-id <id> or SMARTLINK_CLIENT_ID'));
  if (clientId === '') throw new CliUsageError('no clientId given');

  let secret: string;
  switch (options.secret.from) {
    case 'stdin':
      secret = firstLine(await readStdin(io));
      break;
    case 'flag':
      io.stderr(
        'Warning: a --client-secret value can be seen by other users of this machine in the process list; ' +
          'prefer SMARTLINK_CLIENT_SECRET, --client-secret-stdin or the prompt.\n',
      );
      secret = options.secret.value;
      break;
    case 'env':
      secret = options.secret.value;
      break;
    case 'prompt':
      secret = canAsk
        ? await io.prompt.askSecret('Client secret (not shown): ')
        : missing('clientSecret', 'SMARTLINK_CLIENT_SECRET or --client-secret-stdin');
      break;
  }
  if (secret === '') throw new CliUsageError('no clientSecret given');

  subscriptions ??= parseSubscriptionList(
    canAsk
      ? await io.prompt.ask('Commands to subscribe, comma-separated (e.g. HrEmployeeUpdated,FinTitlePaid): ')
      : missing('commands to subscribe', '--commands A,B or SMARTLINK_SUBSCRIPTIONS'),
  );
  return { clientId, clientSecret: new SecretValue(secret), subscriptions };
}

function missing(what: string, how: string): never {
  throw new CliUsageError(`no ${what}: pass ${how}, or run on a terminal to be asked`);
}

async function readStdin(io: CliIo): Promise<string> {
  try {
    return await io.readStdin();
  } catch (error) {
    throw new CliUsageError(`cannot read the clientSecret from standard input: ${(error as Error).message}`);
  }
}

/** The secret is the first line; the line break a shell or `echo` adds is not part of it. */
function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/**
 * The cloud ConfigMap: the cloud's URLs as validated (trailing slashes gone), the client id, then every other Smart
 * Link setting the environment sets, so the services run with what the activation ran with. Each becomes a line of an
 * env file, so a value may not span lines.
 */
function cloudEntries(settings: SmartLinkSettings, env: SettingsSource): [string, string][] {
  const passed = Object.keys(SmartLinkSettingsSchema.shape)
    .filter((key) => !WIZARD_KEYS.has(key))
    .flatMap((key): [string, string][] => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    });
  const entries: [string, string][] = [
    ['SMARTLINK_RAC_URL', settings.SMARTLINK_RAC_URL],
    ['SMARTLINK_API_URL', settings.SMARTLINK_API_URL],
    ['SMARTLINK_CLIENT_ID', settings.SMARTLINK_CLIENT_ID],
    ...passed,
  ];
  const multiline = entries.find(([, value]) => /[\r\n]/.test(value));
  if (multiline) throw new CliUsageError(`${multiline[0]}: a value on one line, for the overlay's env file`);
  return entries;
}
