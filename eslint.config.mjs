// Lint rules as Azure/azure-functions-nodejs-library keeps them (type-aware recommended), plus the few the team
// relies on: strict equality, awaited returns inside try, and imports in one order. Formatting is Prettier's job.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      'node_modules/',
      'coverage/',
      'test-results/',
      'bench-results/',
      'outbox/',
      '.azurite/',
      'publish/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  {
    // The dashboard's browser code: its own project (DOM types, no Node) and the browser's globals.
    files: ['shared/sell/dashboard/browser/**/*.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        projectService: false,
        project: './tsconfig.browser.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The page runs one inlined script, which cannot load another: other files may lend it types only.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.', allowTypeImports: true, message: 'Import types only: nothing else is served.' }] },
      ],
      // Lead data reaches the page as text (textContent, attributes), never parsed as HTML.
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'setHTMLUnsafe', 'createContextualFragment'].map(
          (property) => ({ property, message: 'Build nodes and set textContent: lead data is text, not HTML.' }),
        ),
        ...['write', 'writeln'].map((property) => ({ object: 'document', property, message: 'Build nodes instead.' })),
      ],
    },
  },
  {
    // Plain JavaScript: configuration files and the fixture apps the local host is tested on.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'commonjs',
      parserOptions: { projectService: false, project: null },
      globals: { ...globals.node },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    // Jest's asymmetric matchers (expect.any, expect.stringMatching, ...) are typed `any` by @types/jest.
    files: ['tests/**/*.ts', 'local-host/tests/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  prettier,
);
