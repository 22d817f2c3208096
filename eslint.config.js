import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'action/agent-runner.mjs', 'node_modules/**', 'coverage/**', '.aws-sam/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', performance: 'readonly', awslambda: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List named exports; no export *.' }],
      // The MCP SDK, loaded by a dynamic import, imports zod/v4: through plain 'zod' esbuild would skip the lazy init of the shared zod modules and the worker bundle would fail at import.
      'no-restricted-imports': ['error', { paths: [{ name: 'zod', message: "Import from 'zod/v4' (same API): see the note in eslint.config." }] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'process', property: 'env', message: 'Configuration comes in through injected dependencies; read the environment in functions/ or src/cli/.' },
        { object: 'Date', property: 'now', message: 'Use the injected clock.' }],
    },
  },
);
