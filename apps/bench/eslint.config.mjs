import baseConfig, { kafkaClientUsers } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // The raw-client measurements use the Kafka client libraries themselves (src/app/limits/raw-clients/raw-client.ts).
  kafkaClientUsers(['src/app/limits/raw-clients/**/*.ts']),
];
