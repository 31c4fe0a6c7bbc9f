import type { ServiceName } from './service-entry-points';

/**
 * The least a service needs to boot, for running its settings loaders: cloud credentials for the two that talk to
 * the cloud, the redrive token for the retry-scheduler; defaults elsewhere.
 */
export function minimalEnv(service: ServiceName): Record<string, string> {
  const cloud = {
    SMARTLINK_RAC_URL: 'https://admin.rac.staging.totvs.app',
    SMARTLINK_API_URL: 'https://link.staging.totvs.app/api/v1',
    SMARTLINK_CLIENT_ID: 'docs-check',
    SMARTLINK_CLIENT_SECRET: 'docs-check-secret',
  };
  if (service === 'poller') return { ...cloud, SMARTLINK_SUBSCRIPTIONS: 'DemoPing' };
  if (service === 'executor') return cloud;
  if (service === 'retry-scheduler') return { REDRIVE_HTTP_TOKEN: 'docs-check-redrive-token' };
  return {};
}
