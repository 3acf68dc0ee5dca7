// Package format renders berth's listings (ps, ls, images, stats, events, network
// and volume ls and inspect, top) the way docker's formatter does, so a script
// written against docker compose reads berth's output the same way: "table" (the
// default columns), "table TEMPLATE", "json" (one object per row and line) and any
// Go template over the same field names. The engine returns rows; cmd/berth hands
// them here (render.go).
package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"text/template"
)

// Listing says how one kind of row prints.
type Listing struct {
	// Default is the verb's format when none is asked: a "table …" template, or a
	// plain one (events' lines).
	Default string
	// Headers are the column titles of the row's fields; a field not named here is
	// titled in upper case.
	Headers map[string]string
	// Key is the field --quiet prints (an ID, a name).
	Key string
	// JSONArray prints "json" as one array of the rows, as docker compose's ls and
	// images do, rather than one object a line.
	JSONArray bool
	// Tight tables have columns as wide as their cells, not at least 10 as docker's.
	Tight bool
}

// Write renders rows (structs of one type) as spec asks: "" or "table" for the
// default table, "table TEMPLATE" for a table of one's own, "json" for one JSON
// object per line, anything else as a Go template run once per row.
func (l Listing) Write(w io.Writer, spec string, rows any) error {
	tmpl, table, err := l.parse(spec)
	if err != nil {
		return err
	}
	items, err := slice(rows)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if table {
		// A template that cannot run over the titles has no header row.
		var head bytes.Buffer
		if err := tmpl.Execute(&head, l.titles(items.Type().Elem())); err == nil {
			buf.Write(head.Bytes())
			buf.WriteByte('\n')
		}
	}
	for i := range items.Len() {
		if err := tmpl.Execute(&buf, items.Index(i).Interface()); err != nil {
			return fmt.Errorf("--format %q: %w", spec, err)
		}
		buf.WriteByte('\n')
	}
	if !table {
		_, err := w.Write(buf.Bytes())
		return err
	}
	// docker's column layout: at least 10 wide, 3 spaces between.
	minWidth := 10
	if l.Tight {
		minWidth = 0
	}
	tw := tabwriter.NewWriter(w, minWidth, 1, 3, ' ', 0)
	if _, err := tw.Write(buf.Bytes()); err != nil {
		return err
	}
	return tw.Flush()
}

// Check tells whether spec is a format Write takes, before any row is made.
func (l Listing) Check(spec string) error {
	_, _, err := l.parse(spec)
	return err
}

// parse makes the template of spec, and tells whether it prints a table.
func (l Listing) parse(spec string) (*template.Template, bool, error) {
	text, table := spec, false
	switch {
	case spec == "" || spec == "table":
		text, table = strings.CutPrefix(l.Default, "table ")
	case strings.HasPrefix(spec, "table "):
		text, table = spec[len("table "):], true
	case spec == "json":
		text = "{{json .}}"
	}
	// As docker does, \t and \n typed in a shell's quotes mean a tab and a newline.
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.TrimSpace(text))
	tmpl, err := template.New("format").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, false, fmt.Errorf("%w: --format %q: %v", ErrFormat, spec, err)
	}
	return tmpl, table, nil
}

// titles are the header row of a table: each field's column title.
type titles map[string]string

// Label titles a {{.Label "com.example.some-key"}} column SOME KEY, as docker does.
func (titles) Label(name string) string {
	last := name[strings.LastIndex(name, ".")+1:]
	return strings.ToUpper(strings.NewReplacer("-", " ", "_", " ").Replace(last))
}

// titles maps each field of the row type to its column title.
func (l Listing) titles(t reflect.Type) titles {
	out := titles{}
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			out[f.Name] = strings.ToUpper(f.Name)
		}
	}
	for k, v := range l.Headers {
		out[k] = v
	}
	return out
}

// ErrFormat is a --format that is no template.
var ErrFormat = errors.New("invalid format")

// funcs are the functions docker's templates have.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	},
	"split": strings.Split,
	"join":  strings.Join,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
	},
	"truncate": func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n])
		}
		return s
	},
}

// Ellipsis shortens s to n characters, its last one an ellipsis, as docker's
// columns are cut.
func Ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 1 {
		return s
	}
	return string(r[:n-1]) + "…"
}
