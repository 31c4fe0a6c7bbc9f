export {
  TestSystem,
  CLIENT_ID,
  CLIENT_SECRET,
  TENANT,
  type DatabaseKind,
  type ServiceExit,
  type TestSystemOptions,
} from './lib/test-system';
export { ServiceProcess, type ServiceSpec } from './lib/service-process';
export type { ReplicaCounts } from './lib/replica-plan';
export { SYSTEM_SERVICES, type SystemContext, type SystemService } from './lib/system-services';
export { publishFromSegment } from './lib/segment-demo';
export { TopicObserver } from './lib/topic-observer';
export { PrivateBroker, type PrivateBrokerSecurity } from './lib/private-broker';
export { PrivatePostgres, type PostgresLife, type PrivatePostgresOptions } from './lib/private-postgres';
export {
  PrivateCluster,
  ClusterNode,
  type BusiestLeader,
  type PartitionState,
  type QuorumState,
} from './lib/private-cluster';
