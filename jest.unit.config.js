// The quick tier (`npm run test:unit`): the suites that give feedback in seconds. Left to
// `npm test`, which runs every suite: those that start the real local stack, Alertmanager or the
// Kubernetes control plane, run a command end to end, replay rules in Prometheus' engine, or run
// the Pulumi program live with a changed config.
const base = require("./jest.config");

const FULL_ONLY = [
  // the real local stack, live Alertmanagers, the control plane
  "/tests/local/(cli|dashboards|fault-tolerance|routing)\\.test\\.ts$",
  "/tests/alertmanager/(inhibit|maintenance)-live\\.test\\.ts$",
  "/tests/cluster/(access-review|apply|operator)\\.test\\.ts$",
  // commands end to end
  "/tests/ops/(cli|standin)\\.test\\.ts$",
  "/tests/ops-schedule/component\\.test\\.ts$",
  "/tests/backtest/(cli|modes|prometheus|record)\\.test\\.ts$",
  "/tests/synth\\.test\\.ts$",
  "/tests/deploy-freeze/gate\\.test\\.ts$",
  // every promtool boundary case of every alert
  "/tests/alerts/promtool\\.test\\.ts$",
  // the program run live (a changed config, or the recordings' proof)
  "/tests/recorded-runs\\.test\\.ts$",
  "/tests/hardening/(detection|hardening|public-path)\\.test\\.ts$",
  "/tests/deploy-readiness/(archive|grafana)\\.test\\.ts$",
  "/tests/logging/(components|policy-job)\\.test\\.ts$",
  "/tests/dashboards/component\\.test\\.ts$",
];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Every suite here keeps a core busy: one worker per core.
  maxWorkers: 2,
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...FULL_ONLY],
};
