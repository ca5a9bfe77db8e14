/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Type checking is done once by `tsc --noEmit` in `npm test`; swc only strips types.
  testTimeout: 15000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
