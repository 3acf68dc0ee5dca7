package compose

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/types"
)

// ExportOptions are the arguments of `export`.
type ExportOptions struct {
	Service string
	Index   int
	// Output is the tar file to write; "" writes to Out.
	Output string
}

// Export writes a service container's filesystem as a tar stream, as `docker
// compose export` does: to a file, which appears whole or not at all, or to e.Out.
func (e *Engine) Export(ctx context.Context, p *types.Project, o ExportOptions) error {
	c, err := e.replica(ctx, p, o.Service, o.Index)
	if err != nil {
		return err
	}
	if o.Output == "" {
		return e.Runtime.Export(ctx, c.ID, e.Out)
	}
	return writeAtomically(o.Output, func(w io.Writer) error { return e.Runtime.Export(ctx, c.ID, w) })
}

// writeAtomically writes path through a temporary file beside it, renamed over it
// once write succeeds: a failed export leaves nothing half-written.
func writeAtomically(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
