package fault

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// binary is the `selection` binary built once for all tests of the package.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "selection-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The postgres user must reach the binary's directory when tests run as root.
	_ = os.Chmod(dir, 0o755)
	binary = filepath.Join(dir, "selection")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/guizhou-commerce/selection/cmd/selection").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build selection: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer collects a process's log; the test reads it while the process writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// node is one `selection run` deployment: a DATA_DIR, a database, fixed addresses, and
// the process currently running on them (none while it is down).
type node struct {
	t        *testing.T
	name     string
	env      []string
	httpAddr string
	logs     *syncBuffer
	mu       sync.Mutex
	cmd      *exec.Cmd
	starts   int
}

func newNode(t *testing.T, name, databaseURL string, extra ...string) *node {
	n := &node{t: t, name: name, httpAddr: freeAddr(t), logs: &syncBuffer{}}
	n.env = append([]string{
		"DATA_DIR=" + t.TempDir(), "HTTP_ADDR=" + n.httpAddr, "TEMPORAL_FRONTEND_ADDR=" + freeAddr(t),
		"TEMPORAL_UI_ADDR=", "DATABASE_URL=" + databaseURL, "JWT_SECRET=" + secret, "LOG_FORMAT=text",
	}, extra...)
	t.Cleanup(n.kill)
	return n
}

// frontend is the embedded Temporal server's gRPC address.
func (n *node) frontend() string {
	for _, e := range n.env {
		if v, ok := strings.CutPrefix(e, "TEMPORAL_FRONTEND_ADDR="); ok {
			return v
		}
	}
	return ""
}

// start runs the binary and waits until /readyz answers 200.
func (n *node) start() time.Duration {
	n.t.Helper()
	began := time.Now()
	cmd := exec.Command(binary, "run")
	cmd.Env = append(os.Environ(), n.env...)
	cmd.Stdout = io.Discard
	cmd.Stderr = n.logs
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("%s: start: %v", n.name, err)
	}
	n.mu.Lock()
	n.cmd = cmd
	n.starts++
	n.mu.Unlock()
	if err := waitReady(n.httpAddr, 2*time.Minute); err != nil {
		n.t.Fatalf("%s: %v; logs:\n%s", n.name, err, n.logs.String())
	}
	return time.Since(began)
}

// kill sends SIGKILL (a no-op while the process is down) and reaps it.
func (n *node) kill() {
	n.mu.Lock()
	cmd := n.cmd
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// probe is the API of the process on addr for health and readiness checks: a short
// timeout, since a dead process must read as "not answering", not hang the test.
func probe(addr string) *apiclient.Client {
	return apiclient.New("http://"+addr, &http.Client{Timeout: 5 * time.Second})
}

func waitReady(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		_, err := probe(addr).Ready(context.Background())
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready on %s within %s (last: %v)", addr, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const secret = "fault-test-secret"

// client is the API as the officials and the public of the script use it, one token
// per role and region. Every write carries an Idempotency-Key, so a request whose
// connection died can be sent again and applies once.
type client struct {
	api    *apiclient.Client
	mu     sync.Mutex
	tokens map[string]*apiclient.Client
}

func newClient(httpAddr string) *client {
	return &client{api: apiclient.New("http://"+httpAddr, &http.Client{Timeout: 90 * time.Second}), tokens: map[string]*apiclient.Client{}}
}

// as is the API as role/region; "" role is the public, without a token.
func (c *client) as(role domain.Role, region string) (*apiclient.Client, error) {
	if role == "" {
		return c.api, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(role) + "/" + region
	if ac, ok := c.tokens[key]; ok {
		return ac, nil
	}
	t, err := api.MintToken([]byte(secret), role, region, "fault-"+string(role)+"-"+region, 2*time.Hour)
	if err != nil {
		return nil, err
	}
	ac := c.api.WithToken(t)
	c.tokens[key] = ac
	return ac, nil
}

// call is one request of API.md, made through the typed client.
type call func(context.Context, *apiclient.Client) error

// do makes one request as role/region ("" role: public) with the given key ("" for a
// read).
func (c *client) do(ctx context.Context, role domain.Role, region, key string, f call) error {
	ac, err := c.as(role, region)
	if err != nil {
		return err
	}
	if key != "" {
		ctx = apiclient.WithIdempotencyKey(ctx, key)
	}
	return f(ctx, ac)
}

// transient reports whether a failed request may be sent again as it is: the
// connection died or nothing listened (the process was killed), or the server answered
// 5xx (a dependency was still coming up; a 5xx releases its idempotency key).
func transient(err error) bool {
	if e, ok := apiclient.AsError(err); ok {
		return e.Status >= 500
	}
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// inProgress reports the API's answer to a key whose first request is still
// reserved: after a kill -9 that reservation belongs to a dead process.
func inProgress(err error) bool {
	e, ok := apiclient.AsError(err)
	return ok && e.Status == http.StatusConflict && strings.Contains(e.Message, "still in progress")
}
