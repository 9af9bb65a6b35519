//go:build tools

// Package tools pins what renders and reconciles the program's Kubernetes objects in the cluster
// tests: the prometheus-operator release kube-prometheus-stack 88.5.3 deploys (its values.yaml
// image tag), and Helm 3, the Helm the program's helm.v3.Release resources embed. The operator's
// own go.mod replaces its two API modules with paths a module download does not carry; they are
// required here at the same release instead.
package tools

import (
	_ "github.com/prometheus-operator/prometheus-operator/cmd/operator"
	_ "helm.sh/helm/v3/cmd/helm"
)
