package resolver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// listener serves one address over UDP and TCP.
type listener struct {
	addr string
	udp  *dns.Server
	tcp  *dns.Server
	done chan struct{} // closed when either server stopped serving
	once sync.Once
	wg   sync.WaitGroup // the serve loops
	errc chan error     // what each server's serve loop returned
}

// listen binds addr (ip:port) on UDP and TCP and serves h there.
func listen(ctx context.Context, addr string, h dns.Handler) (*listener, error) {
	lc := net.ListenConfig{Control: freebind}
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, err
	}
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		pc.Close()
		return nil, err
	}
	// A query is far smaller than 4096 bytes; the default 512 would cut EDNS ones.
	udp := &dns.Server{PacketConn: pc, Handler: h, UDPSize: dns.DefaultMsgSize}
	if h, ok := h.(*handler); ok {
		udp.PacketConn = boundUDP{pc}
		udp.DecorateReader = func(r dns.Reader) dns.Reader {
			return &fastReader{Reader: r, conn: pc.(*net.UDPConn), h: h}
		}
	}
	l := &listener{
		addr: addr,
		udp:  udp,
		tcp:  &dns.Server{Listener: ln, Handler: h},
		done: make(chan struct{}),
		errc: make(chan error, 2),
	}
	if err := l.serve(l.udp); err != nil {
		ln.Close()
		return nil, err
	}
	if err := l.serve(l.tcp); err != nil {
		l.udp.Shutdown()
		return nil, err
	}
	return l, nil
}

// serve starts s and returns once it serves: dns.Server.Shutdown before that point
// would be ignored and leave it running.
func (l *listener) serve(s *dns.Server) error {
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	exited := make(chan error, 1)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		err := s.ActivateAndServe()
		exited <- err
		l.errc <- err
		l.once.Do(func() { close(l.done) })
	}()
	select {
	case <-started:
		return nil
	case err := <-exited:
		if s.PacketConn != nil {
			s.PacketConn.Close()
		}
		if s.Listener != nil {
			s.Listener.Close()
		}
		return fmt.Errorf("serve %s: %w", l.addr, err)
	}
}

// dead reports whether a serve loop ended: its socket failed, or stop was called.
func (l *listener) dead() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// err is why a dead listener's loop ended.
func (l *listener) err() error {
	select {
	case err := <-l.errc:
		if err != nil {
			return err
		}
	default:
	}
	return errors.New("serve loop returned")
}

// stop shuts both servers down and waits for their loops.
func (l *listener) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range []*dns.Server{l.udp, l.tcp} {
		// "not started" when its loop already ended; then its socket is closed.
		_ = s.ShutdownContext(ctx)
	}
	loops := make(chan struct{})
	go func() { l.wg.Wait(); close(loops) }()
	select {
	case <-loops:
	case <-ctx.Done(): // a handler stuck past the timeout: its loop ends with it
	}
}

// listeners keeps one listener per wanted address.
type listeners struct {
	ctx     context.Context
	port    int
	handler dns.Handler
	logf    func(format string, args ...any)
	active  map[string]*listener // by IP
	failed  map[string]string    // by IP: the last error logged, not to repeat it
}

// reconcile starts listeners on the wanted IPs that have none and stops the others.
// A failed bind is retried at the next reconcile.
func (ls *listeners) reconcile(want []string) {
	wanted := map[string]bool{}
	for _, ip := range want {
		wanted[ip] = true
	}
	for ip, l := range ls.active {
		switch {
		case l.dead():
			ls.logf("resolver: listener on %s failed: %v (restarting)", l.addr, l.err())
		case !wanted[ip]:
			ls.logf("resolver: stopped listening on %s", l.addr)
		default:
			continue
		}
		l.stop()
		delete(ls.active, ip)
	}
	for ip := range wanted {
		if ls.active[ip] != nil {
			continue
		}
		addr := net.JoinHostPort(ip, strconv.Itoa(ls.port))
		l, err := listen(ls.ctx, addr, ls.handler)
		if err != nil {
			if msg := err.Error(); ls.failed[ip] != msg {
				ls.failed[ip] = msg
				ls.logf("resolver: listen on %s: %v (will retry)", addr, err)
			}
			continue
		}
		delete(ls.failed, ip)
		ls.active[ip] = l
		ls.logf("resolver: listening on %s (udp, tcp)", addr)
	}
	for ip := range ls.failed {
		if !wanted[ip] {
			delete(ls.failed, ip)
		}
	}
}

func (ls *listeners) stopAll() {
	for ip, l := range ls.active {
		l.stop()
		delete(ls.active, ip)
	}
}
