// See jest.config.cts: ES modules load natively in this project's tests.
const { withNativeEsm } = require('./jest.native-esm.cjs');

module.exports = withNativeEsm(
  require('../../jest.preset.js').integration(__dirname, 'messaging', { kafka: true }),
);
