import baseConfig, { kafkaClientUsers } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // A segment written without the SDK, with a Kafka client of its own (docs/segments-without-sdk.md).
  kafkaClientUsers(['test/plain-segment/**/*.mjs']),
];
