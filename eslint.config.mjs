import nx from '@nx/eslint-plugin';
import jest from 'eslint-plugin-jest';

// Third-party packages that belong to exactly one lib. Everything else reaches them through that lib's API.
// Kafka clients, both majors of @platformatic/kafka included (the bench installs 1.x under an npm alias): libs/messaging
// is the only place the services know one.
const KAFKA = ['kafkajs', '@platformatic/kafka', 'platformatic-kafka-v1'];
const DATABASE = ['typeorm', '@nestjs/typeorm', 'mssql', 'pg', 'better-sqlite3'];
const HTTP_CLIENT = ['undici'];
const bannedExcept = (...owned) =>
  [...KAFKA, ...DATABASE, ...HTTP_CLIENT].filter((pkg) => !owned.flat().includes(pkg));

// Dimension 2, type: layering, and which lib owns which third-party package.
const TYPE_RULES = {
  'type:app': {
    deps: ['type:contract', 'type:data', 'type:messaging', 'type:policy', 'type:sdk', 'type:util'],
    owns: [],
  },
  'type:sdk': { deps: ['type:messaging', 'type:contract', 'type:util'], owns: [] },
  'type:messaging': { deps: ['type:contract', 'type:util'], owns: KAFKA },
  'type:data': { deps: ['type:util'], owns: DATABASE },
  'type:contract': { deps: ['type:util'], owns: HTTP_CLIENT },
  'type:policy': { deps: ['type:util'], owns: [] },
  'type:util': { deps: ['type:util'], owns: [] },
  'type:testing': { deps: ['type:util'], owns: [] },
  'type:tooling': { deps: ['type:util', 'type:testing'], owns: [] },
  // The whole system as processes (simulator, services, example segment) on a database of its own, for the
  // end-to-end suites and the benchmark; it reads the tables and the topics to check results.
  'type:harness': { deps: ['type:data', 'type:messaging', 'type:util', 'type:testing'], owns: [] },
  // End-to-end suites and the benchmark drive the services as processes; they read the tables and topics.
  'type:e2e': {
    deps: ['type:contract', 'type:data', 'type:messaging', 'type:util', 'type:testing', 'type:harness'],
    owns: [],
  },
};

/**
 * Options of `@nx/enforce-module-boundaries`. Test files (`forTests`) may also use the shared test helpers
 * (`type:testing`: waitFor, uniqueName); production code may not. `kafkaClients` lets a file import the Kafka client
 * libraries whatever its project's type (see the files that use it below).
 */
function moduleBoundaries({ forTests = false, kafkaClients = false } = {}) {
  return {
    enforceBuildableLibDependency: true,
    // Workspace build and test presets that project config files load.
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^(\\.\\./)+tools/build/webpack-node-app$'],
    depConstraints: [
      // Dimension 1, scope: who may use what. The simulator plays the cloud and must not lean on the client's
      // internals; segments see only the shared contract and messaging libs.
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
      { sourceTag: 'scope:segment', onlyDependOnLibsWithTags: ['scope:segment', 'scope:shared'] },
      { sourceTag: 'scope:sim', onlyDependOnLibsWithTags: ['scope:sim', 'scope:shared'] },
      ...Object.entries(TYPE_RULES).map(([sourceTag, { deps, owns }]) => ({
        sourceTag,
        onlyDependOnLibsWithTags: forTests ? [...new Set([...deps, 'type:testing'])] : deps,
        bannedExternalImports: bannedExcept(owns, kafkaClients ? KAFKA : []),
      })),
    ],
  };
}

// Every kind of test file: unit (`.spec.ts`) and every ring named `.<ring>-spec.ts` (int, e2e, reliability...), so a
// new ring gets the test rules without anyone remembering to list it here.
const TEST_FILES = ['**/*.spec.ts', '**/*-spec.ts'];

/**
 * A project's own config entry letting `files` (relative to the project, as a project's eslint config resolves them)
 * import the Kafka client libraries directly: for code that is a Kafka client's user of its own, outside
 * libs/messaging on purpose. Used by the bench's measurements of the client libraries side by side (issue 14
 * chooses libs/messaging's client by them) and the e2e suite's segment written without the SDK.
 */
export function kafkaClientUsers(files) {
  return {
    files,
    ignores: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ kafkaClients: true })] },
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/coverage', '.local/**', 'tmp/**', '.nx/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries()] },
  },
  {
    files: [...TEST_FILES, '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ forTests: true })] },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: TEST_FILES,
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/valid-expect': 'error',
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
    },
  },
  {
    files: ['tools/**/*.mjs', 'tools/**/*.cjs', '**/*.config.cts', 'jest.preset.js'],
    rules: { 'no-console': 'off' },
  },
];
