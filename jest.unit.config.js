// The quick tier (`npm run test:unit`): every suite except those that start the real local
// stack or the Kubernetes control plane, or spawn a CLI (local, ops, backtest) or synth end to
// end. `npm test` runs them all.
const base = require("./jest.config");

const LIVE = [
  "/tests/local/(cli|dashboards|fault-tolerance|lock|routing)\\.test\\.ts$",
  "/tests/alertmanager/inhibit-live\\.test\\.ts$",
  "/tests/(ops|backtest)/cli\\.test\\.ts$",
  "/tests/cluster/(apply|operator)\\.test\\.ts$",
  "/tests/synth\\.test\\.ts$",
];

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...LIVE] };
