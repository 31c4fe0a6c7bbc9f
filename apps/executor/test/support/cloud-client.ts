import type { SimClient } from '@smartlink/testing';

/** Credentials and tenant of the one client the executor tests use. */
export const TENANT = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
export const CLOUD_CLIENT: SimClient = {
  clientId: 'executor-it',
  clientSecret: 'executor-it-secret-never-in-logs',
  tenantId: TENANT,
};

/** Short HTTP timeouts keep the fault tests quick. */
export const CLIENT_TIMEOUTS = { SMARTLINK_HTTP_TIMEOUT_MS: '2000' };
