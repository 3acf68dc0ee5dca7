package logdriver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"time"
)

// ReadOptions select what Read prints.
type ReadOptions struct {
	Tail   int       // the last Tail entries (after Since); -1 = all
	Follow bool      // then keep printing new entries until ctx is done
	Since  time.Time // skip entries older than this; zero = no limit
}

// Read calls fn for the log's entries, oldest first, across the rotated files
// (logFile.N … logFile.1, logFile). With Follow it then waits for new lines,
// across rotations and a log file that does not exist yet, and returns nil
// when ctx is done. An error from fn stops Read and is returned as is. Lines
// that are not log records (a torn write) are skipped.
func Read(ctx context.Context, logFile string, o ReadOptions, fn func(Entry) error) error {
	opts, _ := loadOptions(logFile) // only a hint for how many rotated files to look for
	keep := opts.MaxFiles - 1
	emit := func(e Entry) error {
		if !o.Since.IsZero() && e.Time.Before(o.Since) {
			return nil
		}
		return fn(e)
	}

	files, _, err := snapshot(logFile, keep, nil) // unstable after retries: print what we have
	if err != nil {
		return err
	}
	defer closeAll(files) // but for the one handed to the follower
	// Print up to the last complete line: the current file may end in a line
	// still being written, which the follower picks up whole.
	ends := make([]int64, len(files))
	for i, f := range files {
		if ends[i], err = completeEnd(f.f, f.info.Size()); err != nil {
			return err
		}
	}
	if o.Tail < 0 {
		err = readForward(ctx, files, ends, emit)
	} else if o.Tail > 0 {
		err = readTail(ctx, files, ends, o.Tail, o.Since, emit)
	}
	if err != nil || !o.Follow {
		return err
	}

	fl := &follower{path: logFile, keep: keep, emit: emit}
	if n := len(files); n > 0 {
		// Follow on from the newest file we printed (logFile, or logFile.1 when
		// a rotation had just moved it away).
		last := &files[n-1]
		if _, err := last.f.Seek(ends[n-1], io.SeekStart); err != nil {
			return err
		}
		fl.cur, fl.info, last.f = last.f, last.info, nil
	}
	return fl.run(ctx)
}

func readForward(ctx context.Context, files []opened, ends []int64, emit func(Entry) error) error {
	var d decoder
	for i, f := range files {
		br := bufio.NewReaderSize(io.NewSectionReader(f.f, 0, ends[i]), 64<<10)
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				// Longer than the buffer (a record of control characters, escaped 6×).
				start := slices.Clone(line) // before ReadBytes reuses the buffer
				var rest []byte
				rest, err = br.ReadBytes('\n')
				line = append(start, rest...)
			}
			if e, ok := d.decode(line); ok {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := emit(e); err != nil {
					return err
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// readTail scans the files backwards for the last n entries not older than
// since, so a tail of a big log reads only its end.
func readTail(ctx context.Context, files []opened, ends []int64, n int, since time.Time, emit func(Entry) error) error {
	var got []Entry // newest first
	var d decoder
	for i := len(files) - 1; i >= 0 && len(got) < n; i-- {
		done := false
		err := scanBack(files[i].f, ends[i], func(line []byte) bool {
			e, ok := d.decode(line)
			if !ok {
				return true
			}
			if !since.IsZero() && e.Time.Before(since) {
				done = true // older ones are older still
				return false
			}
			got = append(got, e)
			return len(got) < n
		})
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	for i := len(got) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(got[i]); err != nil {
			return err
		}
	}
	return nil
}

const backChunk = 64 << 10

// scanBack calls fn for the lines of f[0:end], last first, until fn returns false.
func scanBack(f *os.File, end int64, fn func(line []byte) bool) error {
	var carry []byte // the start of the line we are in, read so far
	for pos := end; pos > 0; {
		n := min(backChunk, pos)
		pos -= n
		buf := make([]byte, n, int(n)+len(carry))
		if _, err := f.ReadAt(buf, pos); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		data := append(buf, carry...)
		for {
			i := bytes.LastIndexByte(data, '\n')
			if i < 0 {
				break
			}
			if line := data[i+1:]; len(line) > 0 && !fn(line) {
				return nil
			}
			data = data[:i]
		}
		carry = data
	}
	if len(carry) > 0 {
		fn(carry)
	}
	return nil
}

// completeEnd is the offset just past the last newline in f[0:size].
func completeEnd(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 4096)
	for pos := size; pos > 0; {
		n := min(int64(len(buf)), pos)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, nil
		}
	}
	return 0, nil
}
