import { join } from 'node:path';
import type { z } from 'zod';
import { SERVICES, settingsLoaders, type ServiceName } from './service-entry-points';

/** What one service reads of one setting. */
export interface SettingRead {
  /** False when the loaders read the variable without validating it through a schema. */
  readonly validated: boolean;
  /** The setting's default in this service, as text, when it has a fixed one. */
  readonly defaultValue?: string;
  /** True when the schema refuses the setting unset. */
  readonly required: boolean;
  /** The fix hint shown when the value is wrong (the schema field's description). */
  readonly hint?: string;
}

/** Per service, every setting its loaders read: the keys of the schemas they validate, and keys read directly. */
export type ServiceSettings = Record<ServiceName, Map<string, SettingRead>>;

/**
 * Runs each service's settings loaders (what its main.ts passes process.env to) on `envFor(service)`, with
 * `parseSettings` of libs/common wrapped so every schema it validates is recorded, key by key. Needs Jest: it swaps
 * the parse-settings module in the module registry before the loaders are loaded.
 */
export function readServiceSettings(
  root: string,
  envFor: (service: ServiceName) => Record<string, string>,
): ServiceSettings {
  const parseSettingsFile = join(root, 'libs/common/src/lib/settings/parse-settings.ts');
  let record: (shape: Record<string, z.ZodType>) => void = () => undefined;
  jest.doMock(parseSettingsFile, () => {
    const actual =
      jest.requireActual<typeof import('../../../../libs/common/src/lib/settings/parse-settings')>(
        parseSettingsFile,
      );
    return {
      ...actual,
      parseSettings: (source: string, schema: z.ZodObject, input: Record<string, string | undefined>) => {
        record(schema.shape as Record<string, z.ZodType>);
        return actual.parseSettings(source, schema, input);
      },
    };
  });

  const result = {} as ServiceSettings;
  for (const service of SERVICES) {
    const read = new Map<string, SettingRead>();
    record = (shape) => {
      for (const [key, field] of Object.entries(shape)) read.set(key, describe(field));
    };
    const env = new Proxy(envFor(service), {
      get(target, key) {
        if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key) && !read.has(key))
          read.set(key, { validated: false, required: false });
        return typeof key === 'string' ? target[key] : undefined;
      },
    });
    // A registry of their own, so the loaders see the recording parseSettings even when the test file has loaded
    // libs/common already.
    jest.isolateModules(() => {
      for (const loader of settingsLoaders(root, service)) {
        const load = jest.requireActual<Record<string, unknown>>(loader.file)[loader.name];
        if (typeof load !== 'function') throw new Error(`${loader.file} exports no function ${loader.name}`);
        load(env);
      }
    });
    result[service] = read;
  }
  return result;
}

function describe(field: z.ZodType): SettingRead {
  const hint = field.description;
  const first = field.safeParse(undefined);
  const second = field.safeParse(undefined);
  const value = first.success ? text(first.data) : undefined;
  const fixed = value !== undefined && second.success && text(second.data) === value;
  return {
    validated: true,
    required: !first.success,
    ...(hint ? { hint } : {}),
    ...(fixed ? { defaultValue: value } : {}),
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return undefined;
}
