module.exports = require('../../jest.preset.js').integration(__dirname, 'system-harness');
