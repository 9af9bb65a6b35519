/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["**/tests/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/out/", "/.local/"],
  modulePathIgnorePatterns: ["<rootDir>/out/", "<rootDir>/.local/"],
  // Records the Pulumi program once per stack for every worker (tests/support/recorded-runs.ts).
  globalSetup: "<rootDir>/tests/support/global-setup.ts",
  // Jest's default leaves one of the two cores idle; the live suites use distinct port bases.
  maxWorkers: 2,
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
