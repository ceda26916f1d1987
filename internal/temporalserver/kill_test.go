package temporalserver

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Environment of the child process run by TestServerSurvivesKill.
const (
	childDirEnv  = "TEMPORALSERVER_TEST_CHILD_DIR"
	childAddrEnv = "TEMPORALSERVER_TEST_CHILD_ADDR"
	childReady   = "TEMPORALSERVER-READY"
)

// TestServerSurvivesKill runs the server in a child process, kills it with
// SIGKILL while a workflow waits on a timer, starts it again on the same
// DataDir and address, and checks the workflow completes: what happens when
// `selection run` is killed and restarted.
func TestServerSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal servers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	addr := net.JoinHostPort(loopback, strconv.Itoa(mustFreePort(t)))

	child := startChild(ctx, t, dir, addr)
	c, stopWorker := startWorker(t, addr)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "kill-sleeper",
		TaskQueue: testTaskQueue,
	}, setStateWorkflow, "waiting", 5*time.Second)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	waitListed(ctx, t, c, `ApplicationState="waiting"`, "kill-sleeper")

	child.kill(t)
	t.Log("server process killed with SIGKILL")

	startChild(ctx, t, dir, addr)
	// The worker reconnects by itself; the timer fires on the new process.
	var got string
	if err := c.GetWorkflow(ctx, "kill-sleeper", run.GetRunID()).Get(ctx, &got); err != nil || got != "waiting" {
		t.Fatalf("workflow result after kill = %q, %v; want \"waiting\"", got, err)
	}
	if !containsEvent(historyEvents(ctx, t, c, "kill-sleeper", run.GetRunID()), enumspb.EVENT_TYPE_TIMER_FIRED) {
		t.Errorf("history has no TimerFired event")
	}
	stopWorker() // before the server goes away at cleanup
}

// childProcess is a running TestChildServer.
type childProcess struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait has returned
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *childProcess) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-c.exited
}

// startChild runs TestChildServer in a new process of this test binary and
// waits until its server is ready. Closing the child's stdin (done at
// cleanup, or by the OS if this process dies) makes it stop and exit.
func startChild(ctx context.Context, t *testing.T, dir, addr string) *childProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildServer$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childAddrEnv+"="+addr)
	cmd.Stderr = &lineLogger{t: t, prefix: "child: "}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	ready := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), childReady) {
				close(ready)
				continue
			}
			t.Log("child: " + sc.Text())
		}
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
		t.Logf("child server ready after %v", time.Since(began).Round(time.Millisecond))
	case <-exited:
		t.Fatal("child exited before its server was ready")
	case <-ctx.Done():
		t.Fatal("child server not ready in time")
	}
	return &childProcess{cmd: cmd, exited: exited}
}

// TestChildServer is the child process of TestServerSurvivesKill; it does
// nothing in a normal run.
func TestChildServer(t *testing.T) {
	dir, addr := os.Getenv(childDirEnv), os.Getenv(childAddrEnv)
	if dir == "" || addr == "" {
		t.Skip("helper process for TestServerSurvivesKill")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Start(ctx, Config{
		DataDir:          dir,
		FrontendAddr:     addr,
		Namespace:        testNamespace,
		SearchAttributes: testSearchAttributes,
		Logger:           testLogger(t),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	os.Stdout.WriteString(childReady + "\n")
	// Serve until the parent closes stdin, at most a few minutes.
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(4 * time.Minute):
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// lineLogger passes a child's stderr to t.Log line by line.
type lineLogger struct {
	t      *testing.T
	prefix string
	buf    []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := strings.IndexByte(string(l.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log(l.prefix + string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}
