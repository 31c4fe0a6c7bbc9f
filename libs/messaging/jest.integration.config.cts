module.exports = require('../../jest.preset.js').integration(__dirname, 'messaging', { kafka: true });
