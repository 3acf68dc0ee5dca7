package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the mtime of every entry and the creation time of every image:
// a constant, so equal inputs give equal digests.
var Epoch = time.Unix(0, 0).UTC()

// Layer is a gzipped tar layer held in memory, with both digests computed
// while it was written (one pass, no re-reading for Digest/DiffID).
type Layer struct {
	compressed []byte
	digest     v1.Hash
	diffID     v1.Hash
	rawSize    int64
}

var _ v1.Layer = (*Layer)(nil)

// BuildLayer writes entries (already in order, see Tree.Entries) as a
// deterministic tar: uid/gid 0, no user/group names, mtime Epoch.
func BuildLayer(entries []Entry) (*Layer, error) {
	var out bytes.Buffer
	zsum := sha256.New()
	// gzip output is deterministic for a given Go release: no name, no mtime
	// in its header (zero ModTime is written as 0).
	zw, err := gzip.NewWriterLevel(io.MultiWriter(&out, zsum), gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	rawSum := sha256.New()
	counter := &countWriter{}
	tw := tar.NewWriter(io.MultiWriter(zw, rawSum, counter))
	for i := range entries {
		if err := writeEntry(tw, &entries[i]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &Layer{
		compressed: out.Bytes(),
		digest:     toHash(zsum),
		diffID:     toHash(rawSum),
		rawSize:    counter.n,
	}, nil
}

func writeEntry(tw *tar.Writer, e *Entry) error {
	hdr := &tar.Header{
		Name:    e.Path,
		Mode:    e.Mode,
		ModTime: Epoch,
		Format:  tar.FormatPAX, // one format for all entries, whatever the name length
	}
	switch e.Kind {
	case Dir:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case Symlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.Link
	case File:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = e.Size
	default:
		return fmt.Errorf("%s: unsupported kind %v", e.Path, e.Kind)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	if e.Kind != File {
		return nil
	}
	if e.Data != nil {
		_, err := tw.Write(e.Data)
		return err
	}
	f, err := os.Open(e.Src)
	if err != nil {
		return err
	}
	defer f.Close()
	// The header already promised Size bytes; a file that changed since it
	// was added is an error, not a silently corrupt layer.
	if n, err := io.CopyN(tw, f, e.Size); err != nil {
		return fmt.Errorf("%s: read %d of %d bytes: %w", e.Src, n, e.Size, err)
	}
	return nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func toHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h.Sum(nil))}
}

// Digest is the sha256 of the compressed layer.
func (l *Layer) Digest() (v1.Hash, error) { return l.digest, nil }

// DiffID is the sha256 of the uncompressed tar.
func (l *Layer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Compressed returns the gzipped tar.
func (l *Layer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}

// Uncompressed returns the tar.
func (l *Layer) Uncompressed() (io.ReadCloser, error) {
	return gzip.NewReader(bytes.NewReader(l.compressed))
}

// Size is the compressed size.
func (l *Layer) Size() (int64, error) { return int64(len(l.compressed)), nil }

// UncompressedSize is the size of the tar.
func (l *Layer) UncompressedSize() int64 { return l.rawSize }

// MediaType is the Docker v2 layer type, which every registry and containerd
// release takes.
func (l *Layer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }
