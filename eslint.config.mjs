import nx from '@nx/eslint-plugin';
import jest from 'eslint-plugin-jest';

// Third-party packages that belong to exactly one lib. Everything else reaches them through that lib's API.
const KAFKA = ['kafkajs'];
const DATABASE = ['typeorm', '@nestjs/typeorm', 'mssql', 'pg', 'better-sqlite3'];
const HTTP_CLIENT = ['undici'];
const bannedExcept = (...owned) =>
  [...KAFKA, ...DATABASE, ...HTTP_CLIENT].filter((pkg) => !owned.flat().includes(pkg));

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/coverage', '.local/**', 'tmp/**', '.nx/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            // Dimension 1, scope: who may use what. The simulator plays the cloud and must not lean on the
            // client's internals; segments see only the shared contract and messaging libs.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
            { sourceTag: 'scope:segment', onlyDependOnLibsWithTags: ['scope:segment', 'scope:shared'] },
            { sourceTag: 'scope:sim', onlyDependOnLibsWithTags: ['scope:sim', 'scope:shared'] },
            // Dimension 2, type: layering, and which lib owns which third-party package.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:contract',
                'type:data',
                'type:messaging',
                'type:policy',
                'type:sdk',
                'type:util',
                'type:testing',
              ],
              bannedExternalImports: bannedExcept(),
            },
            {
              sourceTag: 'type:sdk',
              onlyDependOnLibsWithTags: ['type:messaging', 'type:contract', 'type:util'],
              bannedExternalImports: bannedExcept(),
            },
            {
              sourceTag: 'type:messaging',
              onlyDependOnLibsWithTags: ['type:contract', 'type:util'],
              bannedExternalImports: bannedExcept(KAFKA),
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: bannedExcept(DATABASE),
            },
            {
              sourceTag: 'type:contract',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: bannedExcept(HTTP_CLIENT),
            },
            {
              sourceTag: 'type:policy',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: bannedExcept(),
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: bannedExcept(),
            },
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: ['type:util', 'type:testing'],
              bannedExternalImports: bannedExcept(),
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: bannedExcept(),
            },
          ],
        },
      ],
    },
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
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
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
