package project

import "errors"

// ErrInvalid marks a user error in the project: a bad file, a bad reference, a field
// berth does not run. The CLI exits 1 with the message and creates nothing.
var ErrInvalid = errors.New("invalid project")
