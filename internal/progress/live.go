package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// live is the terminal view docker compose shows: one line per resource, redrawn in
// place as events come, under a "[+] Running done/total" header.
type live struct {
	mu      sync.Mutex
	w       io.Writer
	order   []string
	rows    map[string]*row
	drawn   int // lines drawn last time, to move back over
	started time.Time
	mono    bool // NO_COLOR: the marks without colour
}

type row struct {
	event   Event
	started time.Time
	ended   time.Time
}

func newLive(w io.Writer) *live {
	return &live{w: w, rows: map[string]*row{}, started: time.Now()}
}

func (l *live) Event(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := e.Kind + " " + e.Name
	r, ok := l.rows[key]
	if !ok {
		r = &row{started: time.Now()}
		l.rows[key] = r
		l.order = append(l.order, key)
	}
	r.event = e
	if e.Finished || e.Err {
		r.ended = time.Now()
	} else {
		r.ended = time.Time{}
	}
	l.draw()
}

// draw moves the cursor back over the last drawing and writes every line again.
func (l *live) draw() {
	var b strings.Builder
	if l.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.drawn)
	}
	done := 0
	for _, key := range l.order {
		if !l.rows[key].ended.IsZero() {
			done++
		}
	}
	fmt.Fprintf(&b, "\x1b[2K[+] Running %d/%d\n", done, len(l.order))
	for _, key := range l.order {
		r := l.rows[key]
		mark, colour := "\u280b", "" // a spinner frame while under way
		end := time.Now()
		switch {
		case r.event.Err:
			mark, colour, end = "\u2718", "\x1b[31m", r.ended
		case !r.ended.IsZero():
			mark, colour, end = "\u2714", "\x1b[32m", r.ended
		}
		text := r.event.Status
		if r.event.counting() {
			text += " " + bar(r.event.Current, r.event.Total) + " " + r.event.bytes()
		}
		if r.event.Text != "" {
			text += " " + r.event.Text
		}
		if l.mono {
			colour = ""
		}
		fmt.Fprintf(&b, "\x1b[2K %s%s\x1b[0m %s %s  %s  %.1fs\n", colour, mark, r.event.Kind, r.event.Name, text, end.Sub(r.started).Seconds())
	}
	l.drawn = len(l.order) + 1
	io.WriteString(l.w, b.String())
}

const barWidth = 20

// bar draws how far a transfer is: [=========>          ].
func bar(current, total int64) string {
	n := int(float64(barWidth) * float64(min(current, total)) / float64(total))
	head := ""
	if n < barWidth {
		head = ">"
	}
	return "[" + strings.Repeat("=", n) + head + strings.Repeat(" ", barWidth-n-len(head)) + "]"
}

// Monochrome drops the colours of a terminal view (NO_COLOR); other writers have none.
func Monochrome(w Writer) Writer {
	if l, ok := w.(*live); ok {
		l.mono = true
	}
	return w
}
