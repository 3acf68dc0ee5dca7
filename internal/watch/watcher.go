package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// QuietPeriod is how long a tree must be still before its changes are handed on.
// Saving a file is a burst of events a few milliseconds apart (write, chmod, or a
// temporary file renamed over the old one); 50ms takes a whole save in one batch
// and keeps the edit-to-container time well under docker compose's 500ms.
const QuietPeriod = 50 * time.Millisecond

// maxBatchDelay bounds how long a stream of changes that never goes quiet (a
// build writing into the tree) holds back what changed first.
const maxBatchDelay = time.Second

// Watcher follows files and directory trees and sends, on Batches, the sorted,
// distinct paths that changed (made, written, removed or renamed) after each
// quiet period.
type Watcher struct {
	fs      *fsnotify.Watcher
	roots   []string
	batches chan []string
	errs    chan error
	done    chan struct{}
}

// New watches each path: a directory with everything below it, a file by itself.
// A path that does not exist yet is watched from its nearest existing parent, so
// making it later is seen.
func New(paths []string) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{fs: fw, batches: make(chan []string), errs: make(chan error, 1), done: make(chan struct{})}
	for _, p := range paths {
		p = filepath.Clean(p)
		w.roots = append(w.roots, p)
		if err := w.addTree(nearestExisting(p), nil); err != nil {
			fw.Close()
			return nil, err
		}
	}
	go w.loop()
	return w, nil
}

// Batches delivers the changed paths; it is closed by Close.
func (w *Watcher) Batches() <-chan []string { return w.batches }

// Errors delivers what inotify could not do (a full queue, no watches left).
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops watching.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	return w.fs.Close()
}

func nearestExisting(p string) string {
	for {
		if _, err := os.Lstat(p); err == nil || p == filepath.Dir(p) {
			return p
		}
		p = filepath.Dir(p)
	}
}

// addTree watches a directory and every directory below it (inotify is not
// recursive), or a file's directory for a file. Files met on the way are added
// to changed: they may have been written before their directory was watched.
func (w *Watcher) addTree(root string, changed map[string]bool) error {
	info, err := os.Lstat(root)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return w.fs.Add(filepath.Dir(root))
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking: its removal is an event of its own
			}
			return err
		}
		if d.IsDir() {
			if err := w.fs.Add(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("watch %s: %w", path, err)
			}
		}
		if changed != nil && path != root {
			changed[path] = true
		}
		return nil
	})
}

// watched is true for a path inside one of the roots (a root watched from a parent
// sees its siblings too).
func (w *Watcher) watched(p string) bool {
	for _, r := range w.roots {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) || strings.HasPrefix(r, p+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (w *Watcher) loop() {
	defer close(w.batches)
	changed := map[string]bool{}
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	var first time.Time
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if !w.watched(ev.Name) || ev.Op == fsnotify.Chmod && !isFile(ev.Name) {
				continue
			}
			if len(changed) == 0 {
				first = time.Now()
			}
			changed[ev.Name] = true
			if ev.Has(fsnotify.Create) {
				if info, err := os.Lstat(ev.Name); err == nil && info.IsDir() {
					if err := w.addTree(ev.Name, changed); err != nil {
						w.report(err)
					}
				}
			}
			wait := QuietPeriod
			if left := maxBatchDelay - time.Since(first); left < wait {
				wait = max(left, 0)
			}
			quiet.Reset(wait)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(err)
		case <-quiet.C:
			if len(changed) == 0 {
				continue
			}
			batch := make([]string, 0, len(changed))
			for p := range changed {
				batch = append(batch, p)
			}
			sort.Strings(batch)
			changed = map[string]bool{}
			select {
			case w.batches <- batch:
			case <-w.done:
				return
			}
		}
	}
}

func (w *Watcher) report(err error) {
	select {
	case w.errs <- err:
	default: // one unread error is enough to tell
	}
}

func isFile(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && !info.IsDir()
}
