import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A path for a throw-away SQLite file in its own, not yet existing, directory under the OS temp directory; opening it
 * creates the directory. Remove `dirname(path)` when done: SQLite adds `-wal` and `-shm` files beside the database.
 */
export function scratchSqlitePath(): string {
  return join(tmpdir(), `smartlink-test-${randomBytes(6).toString('hex')}`, 'smartlink.sqlite');
}
