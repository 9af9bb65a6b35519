//go:build tools

// Package tools pins the validators the tests and the local stack run, at the versions the
// pinned kube-prometheus-stack chart deploys (its values.yaml image tags).
package tools

import (
	_ "github.com/prometheus/alertmanager/cmd/alertmanager"
	_ "github.com/prometheus/alertmanager/cmd/amtool"
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
