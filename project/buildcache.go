package project

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// BuildCache is one entry of build.cache_from or build.cache_to, in buildx's words:
// type=registry,ref=IMAGE[,mode=max…], type=local,src=DIR / dest=DIR, type=inline,
// or a bare image reference, which is short for type=registry,ref=IMAGE.
type BuildCache struct {
	Type  string
	Attrs map[string]string // every key=value but type
}

// cacheRequired is, per cache type berth passes to a builder, the attribute each
// direction needs; a type missing from a direction's map cannot go that way.
var cacheRequired = map[string]map[string]string{
	"cache_from": {"registry": "ref", "local": "src"},
	"cache_to":   {"registry": "ref", "local": "dest", "inline": ""},
}

// ParseBuildCache reads one entry of field (cache_from or cache_to).
func ParseBuildCache(field, entry string) (BuildCache, error) {
	bad := func(format string, a ...any) (BuildCache, error) {
		return BuildCache{}, fmt.Errorf("field \"build.%s\": %q: %s", field, entry, fmt.Sprintf(format, a...))
	}
	if !strings.Contains(entry, "=") {
		if entry == "" {
			return bad("an empty entry")
		}
		return BuildCache{Type: "registry", Attrs: map[string]string{"ref": entry}}, nil
	}
	fields, err := csv.NewReader(strings.NewReader(entry)).Read()
	if err != nil {
		return bad("%v", err)
	}
	c := BuildCache{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return bad("%q is not key=value", f)
		}
		if k == "type" {
			c.Type = v
		} else {
			c.Attrs[k] = v
		}
	}
	need, known := cacheRequired[field][c.Type]
	switch {
	case c.Type == "":
		return bad("no type= (registry, local or inline)")
	case c.Type == "inline" && field == "cache_from":
		return bad("type inline is written with the image: read it back with type=registry,ref=IMAGE")
	case !known:
		return bad("type %s is not supported: use registry, local or inline", c.Type)
	case need != "" && c.Attrs[need] == "":
		return bad("type %s needs %s=", c.Type, need)
	}
	return c, nil
}

// checkBuildCache refuses cache entries no builder can take.
func checkBuildCache(cacheFrom, cacheTo []string) error {
	for field, entries := range map[string][]string{"cache_from": cacheFrom, "cache_to": cacheTo} {
		for _, e := range entries {
			if _, err := ParseBuildCache(field, e); err != nil {
				return err
			}
		}
	}
	return nil
}
