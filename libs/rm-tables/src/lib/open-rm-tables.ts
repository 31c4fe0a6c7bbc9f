import { openRmDataSource, type OpenRmDataSourceOptions } from './data-source/open-rm-data-source';
import type { DatabaseSettings } from './settings/database-settings';
import { LogStore } from './stores/log.store';
import { MessageExecStore } from './stores/message-exec.store';
import { MessageStore } from './stores/message.store';

/** The RM table stores over one connection, for code outside Nest (tools, benchmarks). */
export interface RmTables {
  readonly messages: MessageStore;
  readonly attempts: MessageExecStore;
  readonly logs: LogStore;
  /** Closes the connection; the stores are unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Connects, creates or verifies the tables as `settings.schemaMode` says (see `openRmDataSource`), and returns the
 * stores. Nest apps use `RmTablesModule` instead.
 */
export async function openRmTables(
  settings: DatabaseSettings,
  options: OpenRmDataSourceOptions = {},
): Promise<RmTables> {
  const dataSource = await openRmDataSource(settings, options);
  return {
    messages: new MessageStore(dataSource),
    attempts: new MessageExecStore(dataSource),
    logs: new LogStore(dataSource),
    close: () => dataSource.destroy(),
  };
}
