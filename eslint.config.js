import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_DATABASE = {
  group: ['**/db/*', 'kysely'],
  message: 'Web code calls the domain through app/webDomain.ts; reads, rules and queries belong to the module that owns the tables.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'test-output/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The web calls the domain (app/webDomain.ts): queries stay with the module that owns the tables.
    files: ['src/web/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DATABASE] }] },
  },
  {
    // A view is props → Html: testable without a server, a database or the domain.
    files: ['src/web/views/**/*.ts', 'src/web/*/view.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_DATABASE,
            { group: ['fastify', '@fastify/*'], message: 'A view is props → Html; its routes.ts does the HTTP.' },
            { group: ['**/app/*'], message: 'A view gets plain props; its routes.ts calls the domain.' },
          ],
        },
      ],
    },
  },
  {
    // node:test's describe() and test() return promises the runner itself awaits.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
