// The reliability suite: the whole system as processes under kills, infrastructure faults and bad input. Built on
// the e2e ring's settings (its global setup checks the shared broker and sets KAFKA_BROKERS); the suite itself runs
// a broker of its own, which it kills and restarts.
const { e2e } = require('../../jest.preset.js');

module.exports = {
  ...e2e(__dirname, 'reliability'),
  displayName: 'reliability',
  testMatch: ['<rootDir>/test/**/*.reliability-spec.ts'],
  testTimeout: 600_000,
};
