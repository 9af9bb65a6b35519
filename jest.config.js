/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["**/tests/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/out/", "/.local/"],
  modulePathIgnorePatterns: ["<rootDir>/out/", "<rootDir>/.local/"],
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
