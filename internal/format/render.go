package format

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
)

// Render writes rows (a slice of one row type) as a listing verb's flags ask: with
// quiet, the Key field of each row, each value once; "json" as one array where the
// listing says so; else as Write does.
func (l Listing) Render(w io.Writer, spec string, quiet bool, rows any) error {
	items, err := slice(rows)
	if err != nil {
		return err
	}
	switch {
	case quiet:
		return l.keys(w, items)
	case spec == "json" && l.JSONArray:
		if items.IsNil() {
			items = reflect.MakeSlice(items.Type(), 0, 0)
		}
		return json.NewEncoder(w).Encode(items.Interface())
	}
	return l.Write(w, spec, rows)
}

// slice is rows, which must be a slice.
func slice(rows any) (reflect.Value, error) {
	items := reflect.ValueOf(rows)
	if items.Kind() != reflect.Slice {
		return items, fmt.Errorf("format: rows must be a slice, not %s", items.Kind())
	}
	return items, nil
}

// keys writes the Key field of each row on a line of its own, each value once (an
// image several containers run is one ID).
func (l Listing) keys(w io.Writer, items reflect.Value) error {
	seen := map[string]bool{}
	var b strings.Builder
	for i := range items.Len() {
		k := fmt.Sprint(items.Index(i).FieldByName(l.Key).Interface())
		if !seen[k] {
			seen[k] = true
			b.WriteString(k + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Inspect writes rows as one indented JSON array, as docker's inspect verbs do.
func Inspect[R any](w io.Writer, rows []R) error {
	if rows == nil {
		rows = []R{}
	}
	b, err := json.MarshalIndent(rows, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// Processes are the processes of one container, as `top` lists them: the titles
// of ps's columns and a row of cells per process.
type Processes struct {
	Container string
	Titles    []string
	Rows      [][]string
}

// Top writes each container's name, then its processes as a table, then a blank
// line.
func Top(w io.Writer, all []Processes) error {
	for _, p := range all {
		fmt.Fprintln(w, p.Container)
		tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(p.Titles, "\t"))
		for _, r := range p.Rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}
