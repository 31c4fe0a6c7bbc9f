// @platformatic/kafka and jose ship ES modules only. This project's test targets run Jest with
// --experimental-vm-modules (project.json), so Node 26 loads both natively through require(esm); jose is not
// transformed to CommonJS here as the preset does for projects without it.
const { withNativeEsm } = require('./jest.native-esm.cjs');

module.exports = withNativeEsm(require('../../jest.preset.js').unit(__dirname, 'messaging'));
