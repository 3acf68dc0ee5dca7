package network

import "errors"

// Sentinel errors; every error returned by this package that means one of these wraps
// it, so callers test with errors.Is.
var (
	// ErrNotFound: no network (or endpoint) of that name.
	ErrNotFound = errors.New("not found")
	// ErrInUse: a network still has containers attached.
	ErrInUse = errors.New("in use")
	// ErrOverlap: a requested subnet overlaps another berth network or a host route.
	ErrOverlap = errors.New("subnet overlaps")
	// ErrPoolExhausted: every subnet of the pool is taken or routed.
	ErrPoolExhausted = errors.New("no free subnet in the pool")
	// ErrAttached: the container is already attached, differently than asked.
	ErrAttached = errors.New("container already attached")
	// ErrPortAllocated: a host port another container publishes already.
	ErrPortAllocated = errors.New("port is already allocated")
	// ErrInvalid: a bad name, subnet, gateway or port.
	ErrInvalid = errors.New("invalid argument")
)
