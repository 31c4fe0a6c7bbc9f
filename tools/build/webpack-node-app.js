// Builds one Node service: the app and the workspace libs it imports are bundled into dist/apps/<name>/main.js;
// packages from node_modules stay external (native modules such as better-sqlite3 cannot be bundled, and an image
// installs them with `npm ci --omit=dev`). Types are checked by each project's `typecheck` target, so ts-loader
// only transpiles. This is the setup the Nest CLI itself uses for `nest build --webpack`.
const { join } = require('node:path');
const nodeExternals = require('webpack-node-externals');

const workspaceRoot = join(__dirname, '..', '..');

// Workspace libs resolve to their source through the same `paths` the TypeScript compiler uses.
const { paths } = require(join(workspaceRoot, 'tsconfig.base.json')).compilerOptions;
const libAliases = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`${alias}$`, join(workspaceRoot, target)]),
);

/** @returns {import('webpack').Configuration} */
module.exports = function nodeAppConfig(projectDir, name) {
  const tsconfig = join(projectDir, 'tsconfig.app.json');
  return {
    mode: 'production',
    target: 'node',
    context: projectDir,
    entry: { main: './src/main.ts' },
    output: { path: join(workspaceRoot, 'dist', 'apps', name), filename: '[name].js', clean: true },
    devtool: 'source-map',
    // No minification: stack traces in production logs should read like the source.
    optimization: { minimize: false, nodeEnv: false },
    externalsPresets: { node: true },
    externals: [nodeExternals({ modulesDir: join(workspaceRoot, 'node_modules') })],
    resolve: {
      extensions: ['.ts', '.js', '.json'],
      alias: libAliases,
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          exclude: /node_modules/,
          options: { configFile: tsconfig, transpileOnly: true },
        },
      ],
    },
    // Optional peer dependencies of TypeORM and Nest (other drivers, transports) are resolved at run time.
    ignoreWarnings: [/Critical dependency/, /Module not found: Error: Can't resolve/],
    stats: 'errors-warnings',
  };
};
