import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo } from '../report/bench-result';

/** What the report says about the machine: CPUs, memory, OS, Node, the Kafka version tools/kafka runs, the database. */
export function machineInfo(
  workspace: string,
  database: 'postgres' | 'sqlite',
  postgresUrl: string,
): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown CPU',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${type()} ${release()}`,
    node: process.version,
    kafka: kafkaVersion(workspace),
    database: database === 'postgres' ? postgresVersion(postgresUrl) : 'SQLite (better-sqlite3, WAL)',
  };
}

function kafkaVersion(workspace: string): string {
  try {
    const pom = readFileSync(join(workspace, 'tools', 'kafka', 'pom.xml'), 'utf8');
    return /<kafka\.version>\s*([^<\s]+)\s*</.exec(pom)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The server version through psql when it is installed; the bench itself uses no database driver directly. */
function postgresVersion(url: string): string {
  const result = spawnSync('psql', ['-At', '-c', 'SHOW server_version', url], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const version = result.status === 0 ? result.stdout.trim().split(' ')[0] : undefined;
  return version ? `PostgreSQL ${version}` : 'PostgreSQL';
}
