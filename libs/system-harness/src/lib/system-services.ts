/** What every service definition can draw on when the system starts. */
export interface SystemContext {
  /** Settings every Smart Link service shares: broker, topic namespace, listen address. */
  readonly shared: Readonly<Record<string, string>>;
  /** DB_* settings of this run's database. */
  readonly database: Readonly<Record<string, string>>;
  /** SMARTLINK_* settings that point the client at the simulator with the test credentials. */
  readonly cloud: Readonly<Record<string, string>>;
  /** Commands the poller subscribes to and the example segment handles. */
  readonly commands: readonly string[];
  readonly simUrl: string;
  /** The bearer token the retry scheduler's POST /redrive wants: a random one per system. */
  readonly redriveToken: string;
  /** Extra settings the test asked for, per service name. */
  readonly overrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** One service of the system under test. */
export interface SystemService {
  /** Nx project name; its bundle is dist/apps/<name>/main.js. */
  readonly name: string;
  /** The process environment, given the context and the HTTP port chosen for it. */
  env(context: SystemContext, port: number): Record<string, string>;
  /** Readiness URL; defaults to /health/ready on its port. */
  readyUrl?(context: SystemContext, port: number): string;
}

/**
 * The services of a full system, in start order: the cloud simulator first, the consumers next, the poller last
 * (its readiness means the cloud setup is done, so what a test enqueues from then on is routed). One entry per
 * service; add new services here.
 */
export const SYSTEM_SERVICES: readonly SystemService[] = [
  {
    name: 'smartlink-sim',
    env: (_context, port) => ({ SIM_PORT: String(port), SIM_HOST: '127.0.0.1' }),
    readyUrl: (context) => `${context.simUrl}/admin/stats`,
  },
  {
    name: 'executor',
    env: (c, port) => ({ ...c.shared, ...c.database, ...c.cloud, HTTP_PORT: String(port) }),
  },
  {
    // Plans retries from the executor's failed events and hands them back when due; production policy unless a
    // test overrides RETRY_POLICY_FILE.
    name: 'retry-scheduler',
    env: (c, port) => ({
      ...c.shared,
      ...c.database,
      REDRIVE_HTTP_TOKEN: c.redriveToken,
      HTTP_PORT: String(port),
    }),
  },
  {
    // Writes what every service and segment logs on <ns>.logs into GTOTVSLINKLOG; purges old history hourly.
    name: 'log-writer',
    env: (c, port) => ({ ...c.shared, ...c.database, HTTP_PORT: String(port) }),
  },
  {
    name: 'example-segment',
    env: (c, port) => ({ ...c.shared, SEGMENT_NAME: 'example', HTTP_PORT: String(port) }),
  },
  {
    name: 'poller',
    env: (c, port) => ({
      ...c.shared,
      ...c.database,
      ...c.cloud,
      SMARTLINK_SUBSCRIPTIONS: c.commands.join(','),
      POLL_CONTINUOUS: 'true',
      HTTP_PORT: String(port),
    }),
  },
];
