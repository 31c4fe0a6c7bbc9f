export { waitFor, type WaitForOptions } from './lib/wait-for';
export { uniqueName } from './lib/unique-name';
export { freePort, freePortRange, type PortRange } from './lib/free-port';
export { TcpProxy } from './lib/tcp-proxy';
export { promqlSelectors, grafanaQueryAsPromql, type PromqlSelector } from './lib/promql-selectors';
export {
  SimAdmin,
  type SimAcked,
  type SimEnqueued,
  type SimMessage,
  type SimGet,
  type SimSent,
  type SimSentEnvelope,
  type SimStats,
  type SimTenantStats,
} from './lib/sim/sim-admin';
export { SimProcess, type SimClient } from './lib/sim/sim-process';
export { createTestCertificates, type TestCertificateFiles } from './lib/tls/test-certificates';
