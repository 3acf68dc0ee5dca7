package compose

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
)

// StatsOptions are the flags of `stats` that choose what is sampled.
type StatsOptions struct {
	Services []string
	NoStream bool
	All      bool
	NoTrunc  bool // the whole container ID
}

// statsInterval is docker stats's refresh period, and the span of the two samples
// a CPU percentage needs.
const statsInterval = time.Second

// Stats samples the resource use of the project's running containers and hands
// show a row per container: once with NoStream, else every second until ctx ends.
func (e *Engine) Stats(ctx context.Context, p *types.Project, o StatsOptions, show func([]format.StatsRow) error) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	prev := map[string]Stats{}
	sample := func() ([]Container, map[string]Stats, error) {
		cs, err := e.projectContainers(ctx, p, o.Services)
		if err != nil {
			return nil, nil, err
		}
		now := map[string]Stats{}
		var shown []Container
		for _, c := range cs {
			if c.State != StateRunning {
				if o.All {
					shown = append(shown, c)
				}
				continue
			}
			st, err := e.Runtime.Stats(ctx, c.ID)
			if err != nil {
				continue // exited between the listing and the sample
			}
			now[c.ID] = st
			shown = append(shown, c)
		}
		return shown, now, nil
	}
	if _, first, err := sample(); err == nil {
		prev = first
	} else {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(statsInterval):
		}
		cs, now, err := sample()
		if err != nil {
			return err
		}
		if err := show(statsRows(cs, prev, now, o.NoTrunc)); err != nil {
			return err
		}
		if o.NoStream {
			return nil
		}
		prev = now
	}
}

// statsRows are the rows of the containers cs between two samples: CPU use is
// the time it took between them.
func statsRows(cs []Container, prev, now map[string]Stats, noTrunc bool) []format.StatsRow {
	rows := []format.StatsRow{}
	for _, c := range cs {
		s, ok := now[c.ID]
		id := shortDigest(c.ID)
		if noTrunc {
			id = c.ID
		}
		row := format.StatsRow{ID: id, Name: c.Name, Container: c.Name, CPUPerc: "--", MemUsage: "-- / --", MemPerc: "--", NetIO: "--", BlockIO: "--", PIDs: "--"}
		if ok {
			cpu := 0.0
			if p, had := prev[c.ID]; had && s.Time.After(p.Time) && s.CPUNanos >= p.CPUNanos {
				cpu = float64(s.CPUNanos-p.CPUNanos) / float64(s.Time.Sub(p.Time).Nanoseconds()) * 100
			}
			mem := 0.0
			if s.MemLimit > 0 {
				mem = float64(s.MemUsage) / float64(s.MemLimit) * 100
			}
			row.CPUPerc = fmt.Sprintf("%.2f%%", cpu)
			row.MemUsage = binarySize(s.MemUsage) + " / " + binarySize(s.MemLimit)
			row.MemPerc = fmt.Sprintf("%.2f%%", mem)
			row.NetIO = decimalSize(s.NetRx) + " / " + decimalSize(s.NetTx)
			row.BlockIO = decimalSize(s.BlockRead) + " / " + decimalSize(s.BlockWrite)
			row.PIDs = fmt.Sprint(s.Pids)
		}
		rows = append(rows, row)
	}
	return rows
}

// binarySize and decimalSize print sizes as docker stats does: memory in KiB, MiB,
// GiB; traffic in kB, MB, GB.
func binarySize(n uint64) string {
	return humanSize(float64(n), 1024, []string{"B", "KiB", "MiB", "GiB", "TiB"})
}

func decimalSize(n uint64) string {
	return humanSize(float64(n), 1000, []string{"B", "kB", "MB", "GB", "TB"})
}

func humanSize(v, base float64, units []string) string {
	i := 0
	for v >= base && i < len(units)-1 {
		v /= base
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f%s", v, units[i])
	}
	return fmt.Sprintf("%.3g%s", v, units[i])
}
