package imagechange

import (
	"errors"
	"reflect"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestApply(t *testing.T) {
	c := ocispec.ImageConfig{Env: []string{"PATH=/bin", "MODE=old"}, Cmd: []string{"sh"}}
	err := Apply(&c, []string{
		`CMD ["cat", "/data/file"]`, `entrypoint /init --fast`, `ENV MODE=new GREETING="hello world"`, `ENV OLD style value`,
		`EXPOSE 80 53/udp`, `LABEL a=1 "b c"=2`, `USER 1000:1000`, `WORKDIR /data`, `VOLUME ["/cache"]`, `VOLUME /a /b`, `STOPSIGNAL SIGINT`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ocispec.ImageConfig{
		Env:          []string{"PATH=/bin", "MODE=new", "GREETING=hello world", "OLD=style value"},
		Cmd:          []string{"cat", "/data/file"},
		Entrypoint:   []string{"/bin/sh", "-c", "/init --fast"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}},
		Labels:       map[string]string{"a": "1", "b c": "2"},
		User:         "1000:1000", WorkingDir: "/data", StopSignal: "SIGINT",
		Volumes: map[string]struct{}{"/cache": {}, "/a": {}, "/b": {}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestApplyRefuses(t *testing.T) {
	for _, change := range []string{"RUN rm -rf /", "CMD", "ENV =x", "COPY a b", `LABEL "unterminated`} {
		c := ocispec.ImageConfig{}
		if err := Apply(&c, []string{change}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", change, err)
		}
	}
}
