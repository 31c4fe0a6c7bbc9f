module.exports = require('../../jest.preset.js').integration(__dirname, 'example-segment', { kafka: true });
