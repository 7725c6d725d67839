/**
 * Unit tests are pure and fast; integration, local-host and browser tests start Azurite and the local host on free
 * ports. Type errors are caught by `npm run typecheck` (part of `npm test` and `npm run test:unit`), so ts-jest only
 * transpiles.
 */
const tsJest = ['ts-jest', { diagnostics: false }];
const project = (displayName, roots) => ({
  displayName,
  testEnvironment: 'node',
  roots,
  transform: { '^.+\\.ts$': tsJest },
});
module.exports = {
  // Global: Jest 30 ignores testTimeout inside a project entry. Only tests that start a host get near it.
  testTimeout: 60000,
  projects: [
    project('unit', ['<rootDir>/tests/unit']),
    project('integration', ['<rootDir>/tests/integration']),
    project('local-host', ['<rootDir>/local-host/tests']),
    project('browser', ['<rootDir>/tests/browser']),
    // Property-based tests over hostile input; `npm run fuzz -- N` runs them with N cases each.
    project('fuzz', ['<rootDir>/tests/fuzz']),
  ],
};
