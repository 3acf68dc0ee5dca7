// berth-logdriver is berth's log driver alone: containerd's shim runs one per
// container (`berth-logdriver _logdriver LOGFILE`, from the container's binary://
// log URI), so it carries nothing but internal/logdriver. The berth CLI answers the
// same command line, and stands in where this binary is not beside it.
package main

import (
	"context"
	"fmt"
	"os"

	"berth.dev/berth/internal/logdriver"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != logdriver.DriverArg {
		fmt.Fprintf(os.Stderr, "usage: %s %s LOGFILE (started by containerd's shim)\n", os.Args[0], logdriver.DriverArg)
		os.Exit(2)
	}
	if err := logdriver.Serve(context.Background(), os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
