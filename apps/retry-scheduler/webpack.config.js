const config = require('../../tools/build/webpack-node-app')(__dirname, 'retry-scheduler');

// Two bundles: the service (main.js) and the operators' redrive CLI (redrive.js), which shares its code.
module.exports = { ...config, entry: { ...config.entry, redrive: './src/redrive.ts' } };
