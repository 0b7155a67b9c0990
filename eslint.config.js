import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'manifest/build/', '.ci/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layers (CONTRIBUTING.md): the domain knows no Bot Framework type and no dialog, so that a
  // move to another bot SDK is a change of one layer; the dialogs talk to the domain, not to the
  // host, the web routes or the store.
  {
    files: ['src/recovery/**/*.ts', 'src/support/**/*.ts', 'src/nlu/**/*.ts', 'src/steps.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder', 'botbuilder-*', 'botframework-*'],
              message: 'The domain knows no Bot Framework type.',
            },
            {
              group: ['**/dialogs/**', '**/web/**', '**/directline/**', '**/bot.js', '**/app.js'],
              message: 'The domain does not depend on the layers above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dialogs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/web/**', '**/src/store/**', '**/src/directline/**', '**/src/app.js', '**/src/bot.js'],
              message: 'Dialogs talk to the domain through DialogServices, not to the host, the routes or the store.',
            },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js', 'scripts/**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
