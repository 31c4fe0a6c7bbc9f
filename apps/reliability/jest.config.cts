// Unit tests of the suite's own judging code (test/support): run with the other unit tests, not with the suite.
const { unit } = require('../../jest.preset.js');

module.exports = { ...unit(__dirname, 'reliability'), testMatch: ['<rootDir>/test/support/**/*.spec.ts'] };
