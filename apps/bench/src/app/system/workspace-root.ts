import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Nx workspace root: the nearest directory at or above the working directory that holds nx.json. */
export function workspaceRoot(from: string = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no nx.json at or above ${from}: run the bench from the workspace`);
  }
}
