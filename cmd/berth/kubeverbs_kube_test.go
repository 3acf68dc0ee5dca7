//go:build kube

package main

import "testing"

// needKube: built with -tags kube, the tests run the Kubernetes verbs in-process.
func needKube(*testing.T) {}
