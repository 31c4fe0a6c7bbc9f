import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { isRetriable } from '@smartlink/common';
import type { DataSource } from 'typeorm';
import { openRmDataSource } from './data-source/open-rm-data-source';
import { rmDataSourceOptions } from './data-source/rm-data-source-options';
import { RmTablesHealthIndicator } from './rm-tables.health';
import type { DatabaseSettings } from './settings/database-settings';
import { LogStore } from './stores/log.store';
import { MessageExecStore } from './stores/message-exec.store';
import { MessageStore } from './stores/message.store';

const storeProviders: Provider[] = [MessageStore, MessageExecStore, LogStore].map((Store) => ({
  provide: Store,
  useFactory: (dataSource: DataSource) => new Store(dataSource),
  inject: [getDataSourceToken()],
}));

/**
 * The RM tables for a Nest app: `RmTablesModule.forRoot(parseDatabaseSettings(process.env))` connects at boot
 * (retrying while the database comes up), creates or verifies the tables (`DB_SCHEMA`), and provides {@link MessageStore},
 * {@link MessageExecStore}, {@link LogStore} and {@link RmTablesHealthIndicator}. The connection closes on app shutdown.
 */
@Module({})
export class RmTablesModule {
  static forRoot(settings: DatabaseSettings): DynamicModule {
    return {
      module: RmTablesModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...rmDataSourceOptions(settings),
            retryAttempts: settings.connectRetryAttempts,
            retryDelay: settings.connectRetryDelayMs,
            // A schema mismatch stays until a DBA acts: fail the start at once instead of retrying it.
            toRetry: (error: unknown) => isRetriable(error),
          }),
          // Our factory, not TypeORM's initialize(): it creates (migrating under a lock) or verifies the tables.
          dataSourceFactory: () => openRmDataSource(settings),
        }),
        TerminusModule,
      ],
      providers: [...storeProviders, RmTablesHealthIndicator],
      exports: [MessageStore, MessageExecStore, LogStore, RmTablesHealthIndicator],
    };
  }
}
