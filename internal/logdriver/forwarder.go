package logdriver

import (
	"fmt"
	"io"
	"time"
)

// retryAfter spaces the attempts to reach a collector that does not answer.
const retryAfter = time.Second

// forwarder sends the records the writer took to the collector, connecting on
// the first and again after a failure, at most once a retryAfter: a collector
// that is down loses the lines of that time, as a docker driver in non-blocking
// mode does, and never stops the local file. It says so once per outage on
// errs (the shim's log).
type forwarder struct {
	f       *Forward
	s       sender
	lastTry time.Time
	failing bool
	errs    io.Writer
}

func newForwarder(f *Forward, errs io.Writer) *forwarder { return &forwarder{f: f, errs: errs} }

func (fw *forwarder) write(batch []record) {
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

func (fw *forwarder) close() {
	if fw.s != nil {
		fw.s.close()
	}
}
