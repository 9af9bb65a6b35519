//go:build tools

// Package tools pins prometheus-community/json_exporter at the release of the image the
// Logstash and Filebeat sidecars and the OpenSearch state exporter run, so the tests run the
// same exporter against the rendered module configuration. Its own module keeps its
// dependencies out of the Prometheus and Alertmanager builds.
package tools

import (
	_ "github.com/prometheus-community/json_exporter"
)
