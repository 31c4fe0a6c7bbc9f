import type { SimClient } from '@smartlink/testing';

/** Credentials and tenant of the one client the poller tests use. */
export const CLIENT_SECRET = 'poller-it-secret-never-in-logs';
export const TENANT = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
export const CLOUD_CLIENT: SimClient = {
  clientId: 'poller-it',
  clientSecret: CLIENT_SECRET,
  tenantId: TENANT,
};

/** Simulator settings of these tests: a long visibility timeout, so only the tests decide on redeliveries. */
export const SIM_ENV = { SIM_VISIBILITY_TIMEOUT_MS: '60000' };
