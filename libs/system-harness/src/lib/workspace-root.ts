import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The Nx workspace root: the nearest directory above this file, or else above the working directory, that holds
 * nx.json. Found by looking rather than by a fixed number of `..`, so the harness also works bundled into a tool
 * (the benchmark runs from dist/).
 */
export function workspaceRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'nx.json'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`no nx.json above ${__dirname} or ${process.cwd()}: run from the workspace`);
}
