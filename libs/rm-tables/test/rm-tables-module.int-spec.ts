import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretValue } from '@smartlink/common';
import {
  LogStore,
  MessageExecStore,
  MessageStore,
  RmTablesHealthIndicator,
  RmTablesModule,
  openRmTables,
  type DatabaseSettings,
  type PostgresDatabaseSettings,
} from '../src';
import {
  T0,
  TEST_DATABASES,
  newAttempt,
  newLog,
  newMessage,
  type TestDatabase,
} from './support/test-databases';
import { TcpProxy } from '@smartlink/testing';

/** How a test makes the database of a booted module unreachable. */
interface Reachability {
  readonly settings: DatabaseSettings;
  /** The database is gone: a closed port (PostgreSQL), a closed connection (SQLite). */
  cutOff(moduleRef: TestingModule): Promise<void>;
  dispose(): Promise<void>;
}

const reachability: Record<'postgres' | 'sqlite', (settings: DatabaseSettings) => Promise<Reachability>> = {
  postgres: async (settings) => {
    const proxy = await TcpProxy.start(serverOf(settings).host, serverOf(settings).port);
    return {
      settings: { ...serverOf(settings), host: '127.0.0.1', port: proxy.port },
      cutOff: () => proxy.close(),
      dispose: () => proxy.close().catch(() => undefined),
    };
  },
  sqlite: async (settings) => ({
    settings,
    // A file cannot become unreachable like a server; a closed connection fails the same way.
    cutOff: (moduleRef) => moduleRef.get<DataSource>(getDataSourceToken()).destroy(),
    dispose: async () => undefined,
  }),
};

function serverOf(settings: DatabaseSettings): PostgresDatabaseSettings {
  if (settings.type !== 'postgres') throw new Error('expected PostgreSQL settings');
  return settings;
}

describe.each(TEST_DATABASES)('RmTablesModule on $name', ({ name, create }) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it('boots with the settings, migrates, and provides the stores and a health indicator that reports up', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RmTablesModule.forRoot(database.settings)],
    }).compile();
    try {
      await moduleRef.init();
      const messages = moduleRef.get(MessageStore);
      expect(moduleRef.get(MessageExecStore)).toBeInstanceOf(MessageExecStore);
      expect(moduleRef.get(LogStore)).toBeInstanceOf(LogStore);

      await messages.insertIgnoringDuplicates([newMessage('booted')]);
      expect((await messages.claimDue({ now: T0, limit: 1 })).map((m) => m.id)).toEqual(['booted']);
      expect(await moduleRef.get(RmTablesHealthIndicator).isHealthy()).toEqual({
        database: { status: 'up' },
      });
    } finally {
      await moduleRef.close();
    }
  });

  it('gives the stores to code outside Nest through openRmTables', async () => {
    const tables = await openRmTables(database.settings);
    try {
      await tables.messages.insertIgnoringDuplicates([newMessage('outside-nest')]);
      await tables.attempts.insertIgnoringDuplicates([newAttempt('outside-nest')]);
      expect(await tables.logs.insert([newLog('outside', { messageId: 'outside-nest' })])).toBe(1);
      expect((await tables.attempts.findByMessageId('outside-nest')).map((a) => a.attempt)).toEqual([1]);
    } finally {
      await tables.close();
    }
  });

  it('reports down, under the key asked for, once the database is unreachable', async () => {
    const link = await reachability[name](database.settings);
    const moduleRef = await Test.createTestingModule({
      imports: [RmTablesModule.forRoot(link.settings)],
    }).compile();
    try {
      await moduleRef.init();
      const health = moduleRef.get(RmTablesHealthIndicator);
      expect(await health.isHealthy('rm-tables')).toEqual({ 'rm-tables': { status: 'up' } });

      await link.cutOff(moduleRef);

      // The first check may still meet a pooled connection that just died; from then on the port is what is closed.
      expect(await health.isHealthy('rm-tables', { timeoutMs: 2_000 })).toEqual({
        'rm-tables': { status: 'down', message: expect.stringMatching(/\S/) },
      });
      expect(await health.isHealthy('rm-tables', { timeoutMs: 2_000 })).toEqual({
        'rm-tables': {
          status: 'down',
          message: expect.stringMatching(name === 'postgres' ? /ECONNREFUSED/ : /\S/),
        },
      });
    } finally {
      await moduleRef.close();
      await link.dispose();
    }
  });

  if (name === 'postgres') {
    it('reports down when the database stops answering, after the timeout', async () => {
      const proxy = await TcpProxy.start(serverOf(database.settings).host, serverOf(database.settings).port);
      const settings = { ...serverOf(database.settings), host: '127.0.0.1', port: proxy.port };
      const moduleRef = await Test.createTestingModule({
        imports: [RmTablesModule.forRoot(settings)],
      }).compile();
      try {
        await moduleRef.init();
        proxy.stall();
        expect(
          await moduleRef.get(RmTablesHealthIndicator).isHealthy('database', { timeoutMs: 300 }),
        ).toEqual({
          database: { status: 'down', message: 'no answer to SELECT 1 within 300 ms' },
        });
      } finally {
        await proxy.close();
        await moduleRef.close();
      }
    });

    it('refuses to start when the database cannot be reached, and never logs or throws the password', async () => {
      const closed = await TcpProxy.start('127.0.0.1', 1);
      const port = closed.port;
      await closed.close();
      const password = 'Sup3r-Secret-Pa55';
      const settings = {
        ...serverOf(database.settings),
        host: '127.0.0.1',
        port,
        password: new SecretValue(password),
      };
      const logged: string[] = [];
      const capture = (...parts: unknown[]) => logged.push(parts.map(String).join(' '));
      const logger: LoggerService = {
        log: capture,
        error: capture,
        warn: capture,
        debug: capture,
        verbose: capture,
      };

      const booting = Test.createTestingModule({ imports: [RmTablesModule.forRoot(settings)] })
        .setLogger(logger)
        .compile();

      const error = await booting.then(
        () => new Error('expected start-up to fail'),
        (failure: unknown) => failure as Error,
      );
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(`${error.message} ${error.stack} ${logged.join('\n')}`).not.toContain(password);
    });
  }
});
