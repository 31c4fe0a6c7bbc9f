module.exports = require('../../jest.preset.js').integration(__dirname, 'segment-sdk', { kafka: true });
