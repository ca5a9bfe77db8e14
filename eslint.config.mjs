// @ts-check
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';
import oneDirection from './scripts/one-direction.cjs';

export default tseslint.config(
  // Plain CommonJS/ESM config, reporter and bench files are not part of the TypeScript project; the sandbox page's
  // browser modules are (tsconfig.browser.json).
  {
    ignores: [
      'dist/',
      'coverage/',
      'node_modules/',
      'data/',
      'test-output/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      '!src/sandbox/public/*.js',
      'src/sandbox/public/vendor/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-console': 'error',
    },
  },
  {
    // Imports in src/ run down the layers and never in a folder cycle (docs/architecture.md "Layers").
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { ruggensteun: oneDirection.plugin },
    rules: { 'ruggensteun/one-direction': 'error' },
  },
  {
    // The sandbox page: browser ES modules, type-checked with the DOM library (which also knows its globals).
    files: ['src/sandbox/public/*.js', 'types/sandbox-browser.d.ts'],
    languageOptions: {
      sourceType: 'module',
      parserOptions: {
        projectService: false,
        project: ['./tsconfig.browser.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-undef': 'off',
      // JSON from the network is untyped here (JSDoc, not TypeScript), and without strictNullChecks these rules
      // cannot tell a needed check from a redundant one.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      '@typescript-eslint/no-useless-default-assignment': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // DOM event handlers as arrow shorthands (`() => selectRole(…)`), and `{ omitted, ...rest }` copies.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      // supertest's .expect(status) is an assertion.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'request.**.expect', '**.expect'] }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  }
);
