module.exports = require('../../jest.preset.js').integration(__dirname, 'retry-scheduler', { kafka: true });
