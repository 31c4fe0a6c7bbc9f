module.exports = require('../../jest.preset.js').integration(__dirname, 'executor', { kafka: true });
