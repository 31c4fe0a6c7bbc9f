import { randomBytes } from 'node:crypto';
import { numberSetting, parseSettings, type SettingsSource } from '@smartlink/common';
import { isCommandName } from '@smartlink/contract';
import { z } from 'zod';
import { FaultConfigSchema, NO_FAULTS } from '../faults/fault-config';

/** Defaults of the simulator, in one place. */
export const SimDefaults = {
  port: 8085,
  host: '127.0.0.1',
  /** One demo client: credentials a first run can use without configuration. Tenant ids are UUIDs ([C S11]). */
  clients: 'smartlink-demo:smartlink-demo-secret:5b0c6e0e-3f4a-4d2b-9c8e-2a1f0d9e7c61',
  tokenTtlS: 3600,
  visibilityTimeoutMs: 30_000,
  /** 64 MiB: far above the client's 1 MiB payload bound, so the client's own check is what trips in tests. */
  maxBodyBytes: 64 * 1024 * 1024,
  demoCommands: 'DemoPing',
} as const;

/** One set of client credentials the RAC endpoint accepts, and the tenant its tokens carry. */
export interface SimClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
}

const ClientsSchema = z
  .string()
  .default(SimDefaults.clients)
  .transform((text, ctx) => {
    const clients: SimClient[] = [];
    for (const entry of text
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [clientId, clientSecret, tenantId, ...rest] = entry.split(':');
      if (!clientId || !clientSecret || !tenantId || rest.length > 0) {
        // The entry holds a secret: say which entry, not what it says.
        ctx.addIssue({
          code: 'custom',
          message: `entry ${clients.length + 1} is not clientId:secret:tenantId`,
        });
        return z.NEVER;
      }
      clients.push({ clientId, clientSecret, tenantId });
    }
    if (clients.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'no client' });
      return z.NEVER;
    }
    return clients;
  })
  .describe('comma-separated clientId:secret:tenantId entries');

const FaultsSchema = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (!text) return NO_FAULTS;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
    const parsed = FaultConfigSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
    }
    return z.NEVER;
  })
  .describe('JSON like {"rules":[{"kind":"error","status":503,"probability":0.1}],"tokenTtlS":null}');

/** Settings of the simulator, parsed once at boot from the environment. */
export const SimSettingsSchema = z.object({
  SIM_PORT: numberSetting({ min: 0, max: 65535, default: SimDefaults.port }).describe(
    'TCP port, 0-65535 (0: any free port)',
  ),
  SIM_HOST: z
    .string()
    .trim()
    .min(1)
    .default(SimDefaults.host)
    .describe('interface to listen on, e.g. 127.0.0.1 or 0.0.0.0'),
  SIM_CLIENTS: ClientsSchema,
  SIM_JWT_SECRET: z
    .string()
    .min(32)
    .optional()
    .transform((secret) => secret ?? randomBytes(32).toString('base64url'))
    .describe('HS256 signing secret of at least 32 characters; random per boot when unset'),
  SIM_TOKEN_TTL_S: numberSetting({ min: 1, max: 86_400, default: SimDefaults.tokenTtlS }).describe(
    'token lifetime in seconds, 1-86400',
  ),
  SIM_VISIBILITY_TIMEOUT_MS: numberSetting({
    min: 1,
    max: 3_600_000,
    default: SimDefaults.visibilityTimeoutMs,
  }).describe('milliseconds an un-acked delivery stays invisible before it is redelivered, 1-3600000'),
  SIM_MAX_BODY_BYTES: numberSetting({
    min: 1024,
    max: 512 * 1024 * 1024,
    default: SimDefaults.maxBodyBytes,
  }).describe('largest request body in bytes, 1024-536870912'),
  SIM_FAULTS: FaultsSchema,
  SIM_DEMO_RATE: numberSetting({ min: 0, max: 100_000, default: 0, int: false }).describe(
    'demo messages per second for the demo tenant, 0 (off) to 100000',
  ),
  SIM_DEMO_COMMANDS: z
    .string()
    .default(SimDefaults.demoCommands)
    .transform((text) =>
      text
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(isCommandName, { message: 'illegal command name' })).min(1))
    .describe('comma-separated legal command names'),
  SIM_DEMO_TENANT: z
    .string()
    .trim()
    .optional()
    .describe('tenant the demo traffic goes to; the first SIM_CLIENTS tenant when unset'),
});

/** Validated simulator settings. */
export type SimSettings = z.infer<typeof SimSettingsSchema>;

/** Validates the simulator settings (pass `process.env`); throws a SettingsError saying how to fix them. */
export function parseSimSettings(env: SettingsSource): SimSettings {
  return parseSettings('smartlink-sim', SimSettingsSchema, env);
}

/** Injection token of the {@link SimSettings}. */
export const SIM_SETTINGS = Symbol('SIM_SETTINGS');
