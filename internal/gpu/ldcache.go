package gpu

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The host's loader cache (/etc/ld.so.cache) maps each library's SONAME to its
// path, as ldconfig wrote it. Read here rather than by running `ldconfig -p`: the
// host may have no ldconfig on the PATH of a static berth, and the format is small.
// This reads glibc's "new" format (glibc-ld.so.cache1.1), alone or after the old
// one; string offsets count from the start of the new header.
const (
	ldCacheMagic     = "glibc-ld.so.cache1.1"
	ldCacheHeaderLen = 48 // magic, nlibs, len_strings, flags, pad, extension offset, unused
	ldCacheEntryLen  = 24 // flags, key, value, osversion, hwcap
	// ldCache64 marks the machine bits of an entry: x86-64, aarch64 and the other
	// 64-bit ABIs set some; 32-bit x86 libraries have none.
	ldCacheMachineBits = 0xff00
)

// LibEntry is one library of the loader cache.
type LibEntry struct {
	SONAME string
	Path   string
	Is64   bool
}

// ParseLoaderCache reads the entries of an ld.so.cache.
func ParseLoaderCache(data []byte) ([]LibEntry, error) {
	start := bytes.Index(data, []byte(ldCacheMagic))
	if start < 0 || len(data) < start+ldCacheHeaderLen {
		return nil, fmt.Errorf("not a glibc loader cache (no %s header)", ldCacheMagic)
	}
	cache := data[start:]
	n := binary.LittleEndian.Uint32(cache[20:24])
	if uint64(ldCacheHeaderLen)+uint64(n)*ldCacheEntryLen > uint64(len(cache)) {
		return nil, fmt.Errorf("loader cache truncated: %d entries", n)
	}
	str := func(off uint32) string {
		if int(off) >= len(cache) {
			return ""
		}
		s := cache[off:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return string(s)
	}
	out := make([]LibEntry, 0, n)
	for i := uint32(0); i < n; i++ {
		e := cache[ldCacheHeaderLen+i*ldCacheEntryLen:]
		flags := binary.LittleEndian.Uint32(e[0:4])
		out = append(out, LibEntry{
			SONAME: str(binary.LittleEndian.Uint32(e[4:8])),
			Path:   str(binary.LittleEndian.Uint32(e[8:12])),
			Is64:   flags&ldCacheMachineBits != 0,
		})
	}
	return out, nil
}

// BuildLoaderCache writes entries in the format ParseLoaderCache reads: for tests
// of the discovery on a fake host.
func BuildLoaderCache(entries []LibEntry) []byte {
	var strs bytes.Buffer
	base := uint32(ldCacheHeaderLen + len(entries)*ldCacheEntryLen)
	offsets := make([][2]uint32, len(entries))
	for i, e := range entries {
		offsets[i][0] = base + uint32(strs.Len())
		strs.WriteString(e.SONAME + "\x00")
		offsets[i][1] = base + uint32(strs.Len())
		strs.WriteString(e.Path + "\x00")
	}
	var b bytes.Buffer
	b.WriteString(ldCacheMagic)
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	le(uint32(len(entries)))
	le(uint32(strs.Len()))
	b.Write(make([]byte, ldCacheHeaderLen-b.Len()))
	for i, e := range entries {
		flags := uint32(0x0003) // ELF, libc6
		if e.Is64 {
			flags |= 0x0300 // x86-64
		}
		le(flags)
		le(offsets[i][0])
		le(offsets[i][1])
		le(uint32(0))
		le(uint64(0))
	}
	b.Write(strs.Bytes())
	return b.Bytes()
}
