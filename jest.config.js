/** Unit tests are pure and fast; integration and browser tests start Azurite and the local host on free ports. */
const tsJest = ['ts-jest', { diagnostics: false }];
module.exports = {
  // testTimeout is a global option (ignored inside projects); only integration tests get near it.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/unit'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/integration'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      // Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core against the local host.
      displayName: 'browser',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/browser'],
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
