package logdriver

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// All followers of a process share one inotify instance: `berth logs -f` on
// a big project follows many files, and a user gets only 128 instances.
var hub struct {
	mu   sync.Mutex
	w    *fsnotify.Watcher
	dirs map[string]map[*watch]struct{}
}

// watch wakes its owner (through C) on changes in dir to names starting with
// prefix.
type watch struct {
	dir, prefix string
	C           chan struct{} // coalesced: one pending wake-up is enough
}

func newWatch(dir, prefix string) (*watch, error) {
	dir = filepath.Clean(dir)
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if hub.w == nil {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			return nil, err
		}
		hub.w, hub.dirs = w, map[string]map[*watch]struct{}{}
		go dispatch(w)
	}
	if hub.dirs[dir] == nil {
		if err := hub.w.Add(dir); err != nil {
			if len(hub.dirs) == 0 {
				hub.w.Close() // safe under the lock: fsnotify never blocks on a reader once closed
				hub.w, hub.dirs = nil, nil
			}
			return nil, err
		}
		hub.dirs[dir] = map[*watch]struct{}{}
	}
	wt := &watch{dir: dir, prefix: prefix, C: make(chan struct{}, 1)}
	hub.dirs[dir][wt] = struct{}{}
	return wt, nil
}

// Close drops the watch, and the inotify instance with the last one.
func (wt *watch) Close() {
	hub.mu.Lock()
	subs := hub.dirs[wt.dir]
	delete(subs, wt)
	if subs != nil && len(subs) == 0 {
		hub.w.Remove(wt.dir) // fails if the dir is gone, which removed the watch already
		delete(hub.dirs, wt.dir)
	}
	var idle *fsnotify.Watcher
	if hub.w != nil && len(hub.dirs) == 0 {
		idle, hub.w, hub.dirs = hub.w, nil, nil
	}
	hub.mu.Unlock()
	if idle != nil {
		idle.Close() // outside the lock: dispatch may be waiting for it
	}
}

func (wt *watch) wake() {
	select {
	case wt.C <- struct{}{}:
	default:
	}
}

func dispatch(w *fsnotify.Watcher) {
	events, errs := w.Events, w.Errors
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			hub.mu.Lock()
			if hub.w == w {
				for wt := range hub.dirs[filepath.Dir(ev.Name)] {
					if strings.HasPrefix(filepath.Base(ev.Name), wt.prefix) {
						wt.wake()
					}
				}
			}
			hub.mu.Unlock()
		case _, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			// Lost events (queue overflow): everyone looks again.
			hub.mu.Lock()
			if hub.w == w {
				for _, subs := range hub.dirs {
					for wt := range subs {
						wt.wake()
					}
				}
			}
			hub.mu.Unlock()
		}
	}
}
