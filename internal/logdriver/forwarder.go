package logdriver

import (
	"fmt"
	"io"
	"time"
)

const (
	// retryAfter spaces the attempts to reach a collector that does not answer.
	retryAfter = time.Second
	// forwardBacklog bounds the batches waiting for the collector; beyond it lines
	// are dropped for it (they stay in the local log).
	forwardBacklog = 256
	// closeGrace bounds the wait for the last lines to reach the collector.
	closeGrace = 2 * time.Second
)

// forwarder sends the records the writer took to the collector, from a goroutine
// of its own: a slow or absent collector never delays the local log, nor the
// container. It connects on the first record and again after a failure, at most
// once a retryAfter; what cannot be sent meanwhile is lost to the collector, as
// with docker's non-blocking mode, and said once per outage on errs (the shim's
// log).
type forwarder struct {
	f       *Forward
	s       sender
	lastTry time.Time
	failing bool
	dropped bool
	errs    io.Writer
	batches chan []record
	done    chan struct{}
}

func newForwarder(f *Forward, errs io.Writer) *forwarder {
	fw := &forwarder{f: f, errs: errs, batches: make(chan []record, forwardBacklog), done: make(chan struct{})}
	go fw.run()
	return fw
}

// write queues a batch for the collector without waiting.
func (fw *forwarder) write(batch []record) {
	select {
	case fw.batches <- batch:
	default:
		if !fw.dropped {
			fmt.Fprintf(fw.errs, "logdriver: %s: the collector falls behind: lines are kept in the local log only\n", fw.f.Driver)
			fw.dropped = true
		}
	}
}

func (fw *forwarder) run() {
	defer close(fw.done)
	for batch := range fw.batches {
		fw.send(batch)
	}
	if fw.s != nil {
		fw.s.close()
	}
}

func (fw *forwarder) send(batch []record) {
	for _, r := range batch {
		if fw.s == nil {
			if time.Since(fw.lastTry) < retryAfter {
				return
			}
			fw.lastTry = time.Now()
			s, err := fw.f.open()
			if err != nil {
				fw.fail(err)
				return
			}
			fw.s = s
		}
		if err := fw.s.send(r); err != nil {
			fw.s.close()
			fw.s = nil
			fw.fail(err)
			return
		}
		fw.failing = false
	}
}

func (fw *forwarder) fail(err error) {
	if !fw.failing {
		fmt.Fprintf(fw.errs, "logdriver: %s: %v (lines are kept in the local log only until it answers)\n", fw.f.Driver, err)
	}
	fw.failing = true
}

// close sends what is queued, for a bounded time.
func (fw *forwarder) close() {
	close(fw.batches)
	select {
	case <-fw.done:
	case <-time.After(closeGrace):
	}
}
