//go:build tools

// Package tools pins the validators the tests and the local stack run, at the versions the
// pinned kube-prometheus-stack chart deploys (its values.yaml image tags).
//
// Thanos (the chart's sidecar release) is required in go.mod but not imported here: npm run tools
// builds each tool in its own module copy, so its large dependency graph stays out of this
// module's. `go mod tidy` would drop that line; keep it.
package tools

import (
	_ "github.com/prometheus/alertmanager/cmd/alertmanager"
	_ "github.com/prometheus/alertmanager/cmd/amtool"
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
