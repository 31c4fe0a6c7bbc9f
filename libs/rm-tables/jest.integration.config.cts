module.exports = require('../../jest.preset.js').integration(__dirname, 'rm-tables');
