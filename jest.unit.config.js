// The quick tier (`npm run test:unit`): every suite except those that start the real local
// stack, spawn its CLI or synth end to end. `npm test` runs them all.
const base = require("./jest.config");

const LIVE = [
  "/tests/local/(automation|cli|dashboards|fault-tolerance|lock|routing)\\.test\\.ts$",
  "/tests/alertmanager/inhibit-live\\.test\\.ts$",
  "/tests/ops/cli\\.test\\.ts$",
  "/tests/synth\\.test\\.ts$",
];

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...LIVE] };
