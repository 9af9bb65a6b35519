//go:build tools

// Package tools pins the Kubernetes control plane the cluster tests run: kube-apiserver at the
// EKS minor the stack targets and the etcd server that Kubernetes release is built against.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
