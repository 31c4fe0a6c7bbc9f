module.exports = require('../../jest.preset.js').integration(__dirname, 'log-writer', { kafka: true });
