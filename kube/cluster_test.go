package kube

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"berth.dev/berth/internal/benchreport"
)

// A real control plane for the tests, from the binaries scripts/kube-bins builds:
// etcd and kube-apiserver on 127.0.0.1, on free ports, started once for the package
// and stopped by PID when the tests end. Without KUBE_BINS the tests that need it skip
// and say why.

type cluster struct {
	cfg   *rest.Config
	procs []*exec.Cmd
	dir   string
	quit  chan struct{} // closed to stop what runs in the test process (the provisioner)
}

var (
	sharedOnce    sync.Once
	sharedCluster *cluster
	sharedErr     error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedCluster != nil {
		sharedCluster.stop()
	}
	if err := benchreport.Finish(os.Stdout); err != nil { // what the benchmarks measured, if they ran
		fmt.Println("kube:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// apiServer gives the test the shared API server, or skips with the reason.
func apiServer(t testing.TB) *cluster {
	t.Helper()
	bins := os.Getenv("KUBE_BINS")
	if bins == "" {
		t.Skip("KUBE_BINS is not set: these tests need etcd and kube-apiserver; build them with KUBE_BINS=$(scripts/kube-bins)")
	}
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(bins, b)); err != nil {
			t.Skipf("KUBE_BINS=%s has no %s (%v): run scripts/kube-bins", bins, b, err)
		}
	}
	sharedOnce.Do(func() { sharedCluster, sharedErr = startCluster(bins) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedCluster
}

func (c *cluster) dynamic(t testing.TB) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (c *cluster) typed(t testing.TB) kubernetes.Interface {
	t.Helper()
	k, err := kubernetes.NewForConfig(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startCluster(bins string) (*cluster, error) {
	dir, err := os.MkdirTemp("", "berth-kube-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	ports := make([]int, 3)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	if err := c.start(filepath.Join(bins, "etcd"), "etcd",
		"--data-dir", filepath.Join(dir, "etcd"), "--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL, "--initial-cluster", "default="+peerURL,
		"--unsafe-no-fsync"); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	keyFile := filepath.Join(dir, "sa.key")
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	token := rand.Text()
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(keyFile, pemKey, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tokenFile, []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return nil, err
	}
	if err := c.start(filepath.Join(bins, "kube-apiserver"), "kube-apiserver",
		"--etcd-servers", etcdURL, "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(ports[2]), "--cert-dir", filepath.Join(dir, "certs"),
		"--service-cluster-ip-range", "10.0.0.0/24", "--token-auth-file", tokenFile,
		"--authorization-mode", "AlwaysAllow", "--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", keyFile, "--service-account-signing-key-file", keyFile,
		// On loopback the API server cannot publish itself as the kubernetes Service's
		// endpoint; nothing in these tests needs it.
		"--endpoint-reconciler-type", "none",
		// No kubelet mounts tokens here; pods need no service account to be admitted.
		"--disable-admission-plugins", "ServiceAccount"); err != nil {
		c.stop()
		return nil, err
	}
	c.cfg = &rest.Config{Host: fmt.Sprintf("https://127.0.0.1:%d", ports[2]), BearerToken: token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, QPS: 200, Burst: 400}
	if err := c.waitReady(2 * time.Minute); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) start(bin, name string, args ...string) error {
	logf, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Killed with the test binary, should it die before TestMain stops them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	return nil
}

// waitReady polls /readyz: the API server has no event to wait on before it serves.
func (c *cluster) waitReady(limit time.Duration) error {
	k, err := kubernetes.NewForConfig(c.cfg)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := k.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kube-apiserver not ready after %s (logs in %s): %w", limit, c.dir, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stop ends the processes this harness started, newest first, by their PIDs.
func (c *cluster) stop() {
	if c.quit != nil {
		close(c.quit)
	}
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	if os.Getenv("BERTH_KUBE_KEEP_LOGS") == "" {
		os.RemoveAll(c.dir)
	}
}
