// No `{ kafka: true }`: these tests start and stop their own brokers on their own ports and never use the
// shared test broker.
module.exports = require('../../jest.preset.js').integration(__dirname, 'kafka-broker');
