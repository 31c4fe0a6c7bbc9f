export { HealthModule, type HealthModuleOptions } from './lib/health.module';
export { flagCheck } from './lib/flag-check';
