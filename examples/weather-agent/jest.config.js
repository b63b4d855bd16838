/** @type {import('jest').Config} */
export default {
  preset: '@retrace/jest-preset',
  // Jest runs *.jest.ts; Vitest runs *.test.ts.
  testMatch: ['<rootDir>/*.jest.ts'],
  // Records against the bundled fake provider with -u; otherwise replays, offline.
  globalSetup: '<rootDir>/jest.global-setup.ts',
  globalTeardown: '<rootDir>/jest.global-teardown.ts',
}
