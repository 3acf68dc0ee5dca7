package project

import (
	"maps"
	"strings"
	"testing"
)

func TestParseBuildCache(t *testing.T) {
	for _, c := range []struct {
		field, entry, typ string
		attrs             map[string]string
		err               string
	}{
		{"cache_from", "127.0.0.1:5050/cache/web", "registry", map[string]string{"ref": "127.0.0.1:5050/cache/web"}, ""},
		{"cache_to", "type=registry,ref=r.test/c:web,mode=max", "registry", map[string]string{"ref": "r.test/c:web", "mode": "max"}, ""},
		{"cache_from", "type=local,src=./cache", "local", map[string]string{"src": "./cache"}, ""},
		{"cache_to", "type=local,dest=/c", "local", map[string]string{"dest": "/c"}, ""},
		{"cache_to", "type=inline", "inline", map[string]string{}, ""},
		{"cache_from", "type=inline", "", nil, "type inline is written with the image"},
		{"cache_from", "type=gha,scope=x", "", nil, "type gha is not supported"},
		{"cache_from", "type=registry", "", nil, "type registry needs ref="},
		{"cache_to", "ref=x", "", nil, "no type="},
		{"cache_to", "type=local,dest", "", nil, `"dest" is not key=value`},
		{"cache_to", "", "", nil, "an empty entry"},
	} {
		got, err := ParseBuildCache(c.field, c.entry)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "build."+c.field) {
				t.Errorf("%s %q: got %v, want an error with %q", c.field, c.entry, err, c.err)
			}
			continue
		}
		if err != nil || got.Type != c.typ || !maps.Equal(got.Attrs, c.attrs) {
			t.Errorf("%s %q: got %+v, %v", c.field, c.entry, got, err)
		}
	}
}
