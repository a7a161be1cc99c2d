import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Packages that only run in Node (a command line, file system helpers): everything else must also run in browsers. */
const NODE_ONLY_PACKAGES = ['cli', 'safe-fs'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // The walls between packages: a package is used through its `exports`, never through another's build output.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/dist/*', '**/dist'], message: "import the package's public entry point, not its dist/ files" },
            { group: ['@levit-unet/*/src/*', '../../*/src/*'], message: "import the package's public entry point, not its src/ files" },
          ],
        },
      ],
    },
  },
  {
    // Browser-safe code: Node built-ins only under src/node/** (the packages' `./node` entry points).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/node/**', ...NODE_ONLY_PACKAGES.map((p) => `packages/${p}/src/**`)],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'browser-safe code: Node built-ins belong under src/node/ (the ./node entry point)' },
            { group: ['**/dist/*', '**/dist'], message: "import the package's public entry point, not its dist/ files" },
            { group: ['@levit-unet/*/src/*', '../../*/src/*'], message: "import the package's public entry point, not its src/ files" },
          ],
          paths: ['fs', 'path', 'os', 'zlib', 'crypto', 'worker_threads', 'child_process', 'url', 'util'].map((name) => ({
            name,
            message: 'browser-safe code: Node built-ins belong under src/node/',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
