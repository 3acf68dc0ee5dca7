package kube

import (
	"math"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
)

// Docker's healthcheck defaults, which compose leaves to the engine.
const (
	defaultInterval      = 30 * time.Second
	defaultTimeout       = 30 * time.Second
	defaultRetries       = 3
	defaultStartInterval = 5 * time.Second
)

// probes turns a healthcheck into the readinessProbe that depends_on: service_healthy
// waits for, with a startupProbe for start_period (failures in it do not count, as in
// Docker) and, on request, the same check as livenessProbe.
func (c *converter) probes(s types.ServiceConfig, ctr *corev1.Container) {
	h := s.HealthCheck
	if h == nil || h.Disable || len(h.Test) == 0 || h.Test[0] == "NONE" {
		return
	}
	var cmd []string
	switch h.Test[0] {
	case "CMD":
		cmd = h.Test[1:]
	case "CMD-SHELL":
		cmd = []string{"sh", "-c", strings.Join(h.Test[1:], " ")}
	default: // compose-go writes a string test as CMD-SHELL; keep this for the odd file
		cmd = []string{"sh", "-c", h.Test[0]}
	}
	interval := durationOr(h.Interval, defaultInterval)
	retries := int32(defaultRetries)
	if h.Retries != nil {
		retries = int32(*h.Retries)
	}
	probe := &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}},
		PeriodSeconds:    seconds(interval),
		TimeoutSeconds:   seconds(durationOr(h.Timeout, defaultTimeout)),
		FailureThreshold: max(retries, 1),
	}
	ctr.ReadinessProbe = probe
	if c.o.Liveness {
		live := *probe
		ctr.LivenessProbe = &live
	}
	if start := durationOr(h.StartPeriod, 0); start > 0 {
		every := durationOr(h.StartInterval, defaultStartInterval)
		startup := *probe
		startup.PeriodSeconds = seconds(every)
		// As long as Docker's start period, plus the retries it allows after it.
		startup.FailureThreshold = int32(math.Ceil(float64(start)/float64(time.Duration(startup.PeriodSeconds)*time.Second))) + probe.FailureThreshold
		ctr.StartupProbe = &startup
	}
}

func durationOr(d *types.Duration, def time.Duration) time.Duration {
	if d == nil || *d == 0 {
		return def
	}
	return time.Duration(*d)
}

// seconds rounds up to whole seconds, at least one, as probes count.
func seconds(d time.Duration) int32 {
	return int32(max(1, math.Ceil(d.Seconds())))
}
