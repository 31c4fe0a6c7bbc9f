import { z } from 'zod';
import { SettingsError, type SettingProblem } from './settings-error';

/** Environment-like input: what `process.env` looks like, or a plain object in tests. */
export type SettingsSource = Readonly<Record<string, string | undefined>>;

/**
 * Validates settings once, at boot, into a typed object. Schema keys are the setting names (e.g.
 * `KAFKA_BROKERS`); each field's `.describe()` text is shown as the fix hint. Values are never echoed back, so a
 * secret in a wrong place cannot leak into the error.
 */
export function parseSettings<S extends z.ZodObject>(
  source: string,
  schema: S,
  input: SettingsSource,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems: SettingProblem[] = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const shape: Record<string, z.ZodType | undefined> = schema.shape;
    const field = shape[String(issue.path[0])];
    const hint = field?.description;
    // zod words a missing value as a type error ("expected string, received undefined"); say what it means.
    const value = issue.path.length === 1 ? input[String(issue.path[0])] : null;
    const unset = issue.code === 'invalid_type' && (value === undefined || value === '');
    return { key, problem: unset ? 'required, but not set' : issue.message, ...(hint ? { hint } : {}) };
  });
  throw new SettingsError(source, problems);
}

/**
 * Reads an optional env string as a number within bounds; empty strings count as unset. Problems say what to write:
 * `not a number`, `not a whole number`, `below 100`, `above 600000`.
 */
export function numberSetting(options: { min: number; max: number; default: number; int?: boolean }) {
  const base = z.coerce
    .number({ error: 'not a number' })
    .min(options.min, { error: `below ${options.min}` })
    .max(options.max, { error: `above ${options.max}` });
  return z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    (options.int === false ? base : base.int({ error: 'not a whole number' })).default(options.default),
  );
}

const BOOLEAN_PROBLEM = 'not a boolean: write true or false (1/0, yes/no and on/off work too)';

/** Reads an optional env string as a boolean: true/false/1/0/yes/no/on/off; empty strings count as unset. */
export function booleanSetting(defaultValue: boolean) {
  return z.preprocess(
    (v) => {
      if (v === '' || v === undefined) return undefined;
      if (typeof v !== 'string') return v;
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      return v;
    },
    z.boolean({ error: BOOLEAN_PROBLEM }).default(defaultValue),
  );
}
