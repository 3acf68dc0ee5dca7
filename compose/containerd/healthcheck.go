package containerd

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"

	"berth.dev/berth/internal/health"
)

const labelHealthcheck = "berth.healthcheck" // JSON health.Check; absent = no healthcheck

// dockerHealthcheck is the HEALTHCHECK of an image config, which the OCI image spec
// does not carry but Docker's (and BuildKit's) image configs do.
type dockerHealthcheck struct {
	Test          []string      `json:"Test"`
	Interval      time.Duration `json:"Interval"`
	Timeout       time.Duration `json:"Timeout"`
	StartPeriod   time.Duration `json:"StartPeriod"`
	StartInterval time.Duration `json:"StartInterval"`
	Retries       int           `json:"Retries"`
}

// imageHealthcheck reads the image's own HEALTHCHECK, if it has one.
func imageHealthcheck(ctx context.Context, img ctrd.Image) (*dockerHealthcheck, error) {
	desc, err := img.Config(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := content.ReadBlob(ctx, img.ContentStore(), desc)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Config struct {
			Healthcheck *dockerHealthcheck `json:"Healthcheck"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	return cfg.Config.Healthcheck, nil
}

// healthCheck merges the service's healthcheck over the image's, field by field, as
// Docker does; nil means the container has none (none given, disable, or NONE).
func healthCheck(s types.ServiceConfig, img *dockerHealthcheck) *health.Check {
	var c health.Check
	if img != nil {
		c = health.Check{Test: img.Test, Interval: img.Interval, Timeout: img.Timeout,
			StartPeriod: img.StartPeriod, StartInterval: img.StartInterval, Retries: img.Retries}
	}
	if h := s.HealthCheck; h != nil {
		if h.Disable {
			return nil
		}
		if len(h.Test) > 0 {
			c.Test = h.Test
		}
		set := func(dst *time.Duration, d *types.Duration) {
			if d != nil {
				*dst = time.Duration(*d)
			}
		}
		set(&c.Interval, h.Interval)
		set(&c.Timeout, h.Timeout)
		set(&c.StartPeriod, h.StartPeriod)
		set(&c.StartInterval, h.StartInterval)
		if h.Retries != nil {
			c.Retries = int(*h.Retries)
		}
	}
	if len(c.Test) == 0 || c.Test[0] == "NONE" {
		return nil
	}
	c = c.WithDefaults()
	return &c
}

func healthLabel(c *health.Check) string {
	b, _ := json.Marshal(c)
	return string(b)
}
