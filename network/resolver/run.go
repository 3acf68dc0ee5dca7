// Package resolver is the DNS server of berth's containers. It listens on the gateway
// address of every berth network, answers the names of the containers that share a
// network with the asking one (service, container name, short ID, aliases), and
// forwards other names to the host's upstream resolvers. It reads all it knows from
// the state directory, which berth's other commands keep up to date, so it needs no
// other channel to them and keeps running after they exit.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"berth.dev/berth/network"
)

const (
	// debounce groups the burst of events of one write (create temp, write, rename)
	// and of a command touching several files into one reload.
	debounce = 20 * time.Millisecond
	maxDelay = 200 * time.Millisecond
	// rescanEvery is the safety re-read: inotify can miss changes (a queue overflow,
	// a directory made or replaced after its watch was set, a read-only bind mount
	// where networks/ could not be created), and a stale record must not live long.
	rescanEvery = 3 * time.Second
	// warnEvery limits how often one failing upstream is logged.
	warnEvery = 30 * time.Second
)

// Options configure Run.
type Options struct {
	StateDir  string   // where networks/ and endpoints/ live
	Upstreams []string // "ip:port" of upstream resolvers; empty = NXDOMAIN for names berth does not know
	Port      int      // 53 in production; 0 means 53
	// ListenAddrs are the IPs to listen on instead of the gateways of the networks in
	// the state dir (tests).
	ListenAddrs []string
	Logf        func(format string, args ...any) // nil = the standard logger (stderr)
	// Answerable says whether a container's names are answered (its task runs); nil
	// answers every endpoint. Changed signals that its answers may have changed.
	Answerable func(containerID string) bool
	Changed    <-chan struct{}
}

// Run serves DNS until ctx is done, then returns nil. It fails only when it cannot
// start at all; bad files and failed binds are logged and retried.
func Run(ctx context.Context, o Options) error {
	if o.StateDir == "" {
		return errors.New("resolver: no state dir")
	}
	if o.Port == 0 {
		o.Port = 53
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("resolver: bad port %d", o.Port)
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("resolver: watch state dir: %w", err)
	}
	defer w.Close()

	s := &server{o: o, watcher: w, logged: map[string]string{}}
	s.records.Store(emptyRecords())
	s.listeners = &listeners{
		ctx:  ctx,
		port: o.Port,
		handler: &handler{ctx: ctx, records: &s.records, upstreams: o.Upstreams,
			logf: o.Logf, warnEvery: warnEvery, forwarding: make(chan struct{}, maxForwards)},
		logf:   o.Logf,
		active: map[string]*listener{},
		failed: map[string]string{},
	}
	defer s.listeners.stopAll()
	return s.loop(ctx)
}

// server owns the records, the watches and the listeners; only loop touches them.
type server struct {
	o         Options
	records   atomic.Pointer[Records]
	watcher   *fsnotify.Watcher
	logged    map[string]string // problems already logged, by key: not repeated each rescan
	listeners *listeners
}

func (s *server) loop(ctx context.Context) error {
	s.watch()
	s.reload()

	pending := time.NewTimer(time.Hour)
	pending.Stop()
	defer pending.Stop()
	rescan := time.NewTicker(rescanEvery)
	defer rescan.Stop()
	// schedule debounces, but a steady stream of events (many containers starting)
	// must not postpone the reload past maxDelay.
	var pendingSince time.Time
	schedule := func() {
		now := time.Now()
		if pendingSince.IsZero() {
			pendingSince = now
		} else if now.Sub(pendingSince) >= maxDelay {
			return // the timer is armed and fires soon
		}
		pending.Reset(debounce)
	}

	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-s.watcher.Events:
			if !ok {
				return errors.New("resolver: watcher closed")
			}
			if s.relevant(ev) {
				schedule()
			}
		case err, ok := <-s.watcher.Errors:
			if !ok {
				return errors.New("resolver: watcher closed")
			}
			// An overflow means lost events: re-read everything.
			s.o.Logf("resolver: watch: %v", err)
			schedule()
		case <-pending.C:
			pendingSince = time.Time{}
			s.reload()
		case <-rescan.C:
			s.watch()
			s.reload()
		case <-s.o.Changed:
			schedule()
		}
	}
}

// relevant tells whether an event may change the records. A change to networks/ or
// endpoints/ themselves (made, removed, replaced) also renews their watches.
func (s *server) relevant(ev fsnotify.Event) bool {
	root := filepath.Clean(s.o.StateDir)
	if ev.Name == root || filepath.Dir(ev.Name) == root {
		// In the state dir itself only networks/ and endpoints/ matter.
		switch filepath.Base(ev.Name) {
		case network.NetworksDir, network.EndpointsDir, filepath.Base(root):
			s.watch()
			return true
		}
		return false
	}
	// Atomic writes go through a dot-named temp file; the rename onto *.json is the
	// event that counts.
	return !strings.HasPrefix(filepath.Base(ev.Name), ".") && !ev.Has(fsnotify.Chmod)
}

// watch makes (if it can: the resolver task sees the state dir read-only) and watches
// networks/ and endpoints/, and the state dir to notice them appear or be replaced.
// It sets the watches again each time: adding a watch that exists is a no-op, and a
// directory made again (maybe with the same inode number) needs a new one.
func (s *server) watch() {
	root := filepath.Clean(s.o.StateDir)
	for _, dir := range []string{
		root,
		filepath.Join(root, network.NetworksDir),
		filepath.Join(root, network.EndpointsDir),
	} {
		if dir != root {
			_ = os.MkdirAll(dir, 0o755) // a failure shows in Add
		}
		if err := s.watcher.Add(dir); err != nil {
			s.logOnce("watch:"+dir, fmt.Sprintf("resolver: watch %s: %v (re-reading every %s)", dir, err, rescanEvery))
			continue
		}
		delete(s.logged, "watch:"+dir)
	}
}

// reload re-reads the state dir, publishes the new records and adjusts the listeners.
// On error the previous records stay: a transient failure must not blank the names.
func (s *server) reload() {
	r, skipped, err := loadRecords(s.o.StateDir, s.o.Answerable)
	if err != nil {
		s.logOnce(s.o.StateDir, fmt.Sprintf("resolver: read state: %v", err))
		return
	}
	delete(s.logged, s.o.StateDir)
	s.reportSkipped(skipped)
	s.records.Store(r)

	want := s.o.ListenAddrs
	if len(want) == 0 {
		want = r.gateways()
	}
	s.listeners.reconcile(want)
}

// reportSkipped logs each skipped file once per distinct problem, not at every rescan.
func (s *server) reportSkipped(skipped []error) {
	now := map[string]bool{}
	for _, err := range skipped {
		msg := err.Error()
		now[msg] = true
		s.logOnce("skip:"+msg, "resolver: skipped "+msg)
	}
	for k := range s.logged {
		if msg, ok := strings.CutPrefix(k, "skip:"); ok && !now[msg] {
			delete(s.logged, k)
		}
	}
}

func (s *server) logOnce(key, msg string) {
	if s.logged[key] == msg {
		return
	}
	s.logged[key] = msg
	s.o.Logf("%s", msg)
}
