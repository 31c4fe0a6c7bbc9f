import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The services whose settings docs/settings.md lists: each is an app with `src/main.ts`. */
export const SERVICES = [
  'poller',
  'executor',
  'retry-scheduler',
  'log-writer',
  'smartlink-sim',
  'example-segment',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** A function `main.ts` hands `process.env` to, and the file it comes from. */
export interface SettingsLoader {
  readonly name: string;
  readonly file: string;
}

/**
 * The settings loaders of one service: every `fn(process.env)` in its `main.ts`, resolved through the file's imports
 * (relative paths, or `@smartlink/<lib>` to `libs/<lib>/src/index.ts`). Throws when `main.ts` reads `process.env` in
 * any other way, so a setting read past the loaders cannot slip by the settings check.
 */
export function settingsLoaders(root: string, service: ServiceName): SettingsLoader[] {
  const mainFile = join(root, 'apps', service, 'src', 'main.ts');
  const source = readFileSync(mainFile, 'utf8');
  const calls = [...source.matchAll(/\b(\w+)\(process\.env\)/g)].map((match) => match[1] as string);
  const uses = source.match(/process\.env\b/g)?.length ?? 0;
  if (calls.length === 0 || uses !== calls.length) {
    throw new Error(
      `${mainFile}: process.env is read other than as fn(process.env); teach docs-check about it`,
    );
  }
  return [...new Set(calls)].map((name) => ({ name, file: importedFrom(root, mainFile, source, name) }));
}

function importedFrom(root: string, file: string, source: string, name: string): string {
  for (const match of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    const names = (match[1] as string).split(',').map((n) => n.trim().replace(/^type\s+/, ''));
    if (!names.includes(name)) continue;
    const specifier = match[2] as string;
    if (specifier.startsWith('.')) return `${join(dirname(file), specifier)}.ts`;
    const lib = /^@smartlink\/([\w-]+)$/.exec(specifier)?.[1];
    if (lib) return join(root, 'libs', lib, 'src', 'index.ts');
    throw new Error(`${file}: ${name} comes from ${specifier}, which docs-check cannot resolve`);
  }
  throw new Error(`${file}: ${name} is not imported with a named import`);
}
