// Shared Jest settings. Each project keeps up to two configs: `jest.config.cts` (unit ring, *.spec.ts next to
// the code) and `jest.integration.config.cts` (integration ring, *.int-spec.ts against real infrastructure).
const nxPreset = require('@nx/jest/preset').default;
const { join, relative } = require('node:path');

function base(projectDir, displayName) {
  return {
    ...nxPreset,
    displayName,
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: join(projectDir, 'tsconfig.spec.json') }],
      // jose 6 ships ES modules only, which Jest's CommonJS runtime cannot load: let ts-jest turn it into CommonJS.
      '^.+/node_modules/jose/.+\\.js$': [
        'ts-jest',
        { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
      ],
    },
    transformIgnorePatterns: ['/node_modules/(?!jose/)'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    coverageDirectory: join(__dirname, 'coverage', relative(__dirname, projectDir)),
  };
}

/** Unit ring: plain `new` with typed doubles; no broker, no database. */
function unit(projectDir, displayName) {
  return { ...base(projectDir, displayName), testMatch: ['<rootDir>/src/**/*.spec.ts'] };
}

/**
 * Integration ring: real infrastructure, never mocked. With `{ kafka: true }` the run first makes sure a broker
 * answers: the one in KAFKA_BROKERS if set, otherwise the single-node broker that tools/kafka starts (or reuses).
 */
function integration(projectDir, displayName, { kafka = false } = {}) {
  return {
    ...base(projectDir, `${displayName}:integration`),
    testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
    ...(kafka && { globalSetup: join(__dirname, 'tools/testing/kafka-global-setup.cjs') }),
    testTimeout: 60_000,
  };
}

/**
 * End-to-end ring: the services as processes (built by the target's dependsOn), the simulator as the cloud, a real
 * broker and real databases. One test file at a time: each starts a whole system.
 */
function e2e(projectDir, displayName) {
  return {
    ...base(projectDir, `${displayName}:e2e`),
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    globalSetup: join(__dirname, 'tools/testing/kafka-global-setup.cjs'),
    testTimeout: 300_000,
  };
}

module.exports = { ...nxPreset, unit, integration, e2e };
