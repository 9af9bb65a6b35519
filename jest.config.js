/** @type {import('jest').Config} */
module.exports = {
  // Node's, removing the temporary directories a file made with tests/support/temp.ts.
  testEnvironment: "<rootDir>/tests/support/environment.ts",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["**/tests/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/out/", "/.local/"],
  modulePathIgnorePatterns: ["<rootDir>/out/", "<rootDir>/.local/"],
  // The Pulumi SDK loads these for closure serialization, which never runs under the mocks;
  // each test file would compile them again (tests/support/lazy/lazy-module.ts).
  moduleNameMapper: {
    "/typescript-shim$": "<rootDir>/tests/support/lazy/typescript.ts",
    "^@npmcli/arborist$": "<rootDir>/tests/support/lazy/arborist.ts",
  },
  // Records the Pulumi program once per stack for every worker (tests/support/recorded-runs.ts).
  globalSetup: "<rootDir>/tests/support/global-setup.ts",
  // Removes the run's temporary directory and fails the run if a test left files in it.
  globalTeardown: "<rootDir>/tests/support/global-teardown.ts",
  // One more worker than two cores: the live suites mostly wait on the pipeline (the routing
  // file takes 75 s for about 16 s of CPU), and a third worker runs CPU-bound suites meanwhile
  // (docs/benchmarks.md). The live suites use distinct port bases.
  maxWorkers: 3,
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
