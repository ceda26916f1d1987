package temporalserver

import (
	"github.com/guizhou-commerce/selection/store/storetest"

	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	testNamespace = "selection-test"
	testTaskQueue = "temporalserver-test"
)

var testSearchAttributes = map[string]enumspb.IndexedValueType{
	"CampaignYear":     enumspb.INDEXED_VALUE_TYPE_INT,
	"PrefectureCode":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"CountyCode":       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"ApplicationState": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

// setStateWorkflow upserts ApplicationState, then optionally sleeps on a
// durable timer before completing.
func setStateWorkflow(ctx workflow.Context, state string, sleep time.Duration) (string, error) {
	key := sdktemporal.NewSearchAttributeKeyKeyword("ApplicationState")
	if err := workflow.UpsertTypedSearchAttributes(ctx, key.ValueSet(state)); err != nil {
		return "", err
	}
	if sleep > 0 {
		if err := workflow.Sleep(ctx, sleep); err != nil {
			return "", err
		}
	}
	return state, nil
}

// TestServerSurvivesRestart covers the whole lifecycle on a file database:
// start with UI and search attributes, run a workflow that upserts a search
// attribute, find it through visibility, leave a second workflow waiting on
// a timer, stop, restart on the same DataDir and check that history,
// visibility and the pending timer all carried over.
func TestServerSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	testRestart(t, Config{DataDir: t.TempDir()})
}

// TestServerPostgres runs the same lifecycle on PostgreSQL persistence
// (TEMPORAL_PERSISTENCE=postgres), in a fresh database of the test server, or in
// TEMPORALSERVER_TEST_POSTGRES_DSN when set.
func TestServerPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	dsn := os.Getenv("TEMPORALSERVER_TEST_POSTGRES_DSN")
	if dsn == "" {
		dsn = storetest.NewDatabase(t)
	}
	testRestart(t, Config{PostgresDSN: dsn})
}

// testRestart fills in the rest of cfg and runs the restart scenario.
func testRestart(t *testing.T, cfg Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	cfg.FrontendAddr = net.JoinHostPort(loopback, strconv.Itoa(mustFreePort(t)))
	cfg.UIAddr = net.JoinHostPort(loopback, strconv.Itoa(mustFreePort(t)))
	cfg.Namespace = testNamespace
	cfg.SearchAttributes = testSearchAttributes
	cfg.Logger = testLogger(t)
	// Unique ids: a PostgreSQL database may hold runs of earlier tests.
	setStateID := "set-state-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	sleeperID := "sleeper-" + strconv.FormatInt(time.Now().UnixNano(), 36)

	began := time.Now()
	srv := startServer(ctx, t, cfg)
	t.Logf("first start took %v", time.Since(began).Round(time.Millisecond))
	if srv.FrontendAddr() != cfg.FrontendAddr {
		t.Fatalf("FrontendAddr() = %q, want %q", srv.FrontendAddr(), cfg.FrontendAddr)
	}
	checkUI(ctx, t, srv, cfg.UIAddr)
	if cfg.DataDir != "" {
		second := cfg
		second.FrontendAddr = net.JoinHostPort(loopback, strconv.Itoa(mustFreePort(t)))
		second.UIAddr = ""
		if s2, err := Start(ctx, second); err == nil {
			_ = s2.Stop()
			t.Fatal("second server on the same DataDir started")
		} else if !strings.Contains(err.Error(), "in use") {
			t.Fatalf("second server on the same DataDir: %v, want an \"in use\" error", err)
		}
	}

	c, stopWorker := startWorker(t, srv.FrontendAddr())
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        setStateID,
		TaskQueue: testTaskQueue,
	}, setStateWorkflow, "x", time.Duration(0))
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "x" {
		t.Fatalf("workflow result = %q, %v; want \"x\"", got, err)
	}
	waitListed(ctx, t, c, `ApplicationState="x"`, setStateID)

	// A workflow whose timer is still pending when the server stops.
	sleeper, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        sleeperID,
		TaskQueue: testTaskQueue,
	}, setStateWorkflow, "sleeping", 4*time.Second)
	if err != nil {
		t.Fatalf("start sleeper: %v", err)
	}
	waitListed(ctx, t, c, `ApplicationState="sleeping"`, sleeperID)
	stopWorker()

	began = time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	t.Logf("stop took %v", time.Since(began).Round(time.Millisecond))

	// Restart on the same data directory. The frontend moves to a new port:
	// server v1.32.0's worker service does not stop all of its internal
	// pollers on Stop, and on the old port they would poll the new server.
	// A real restart is a new process (see TestServerSurvivesKill).
	cfg.FrontendAddr = net.JoinHostPort(loopback, strconv.Itoa(mustFreePort(t)))
	began = time.Now()
	srv = startServer(ctx, t, cfg)
	t.Logf("restart on the same storage took %v", time.Since(began).Round(time.Millisecond))

	c, stopWorker = startWorker(t, srv.FrontendAddr())
	defer stopWorker()

	events := historyEvents(ctx, t, c, setStateID, run.GetRunID())
	for _, want := range []enumspb.EventType{
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
	} {
		if !containsEvent(events, want) {
			t.Errorf("history after restart lacks %v; has %v", want, events)
		}
	}
	waitListed(ctx, t, c, `ApplicationState="x"`, setStateID)

	// The timer set before the stop fires after the restart.
	if err := c.GetWorkflow(ctx, sleeperID, sleeper.GetRunID()).Get(ctx, &got); err != nil || got != "sleeping" {
		t.Fatalf("sleeper result = %q, %v; want \"sleeping\"", got, err)
	}
	if !containsEvent(historyEvents(ctx, t, c, sleeperID, sleeper.GetRunID()), enumspb.EVENT_TYPE_TIMER_FIRED) {
		t.Errorf("sleeper history has no TimerFired event")
	}
}

// TestServerInMemory checks the in-memory mode with a picked frontend port
// and no UI, and that two servers run side by side in one process.
func TestServerInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var servers []*Server
	for range 2 {
		srv := startServer(ctx, t, Config{
			FrontendAddr:     "127.0.0.1:0",
			SearchAttributes: map[string]enumspb.IndexedValueType{"ApplicationState": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
			Logger:           testLogger(t),
		})
		if srv.UIURL() != "" {
			t.Errorf("UIURL() = %q without UIAddr", srv.UIURL())
		}
		servers = append(servers, srv)
	}
	if servers[0].FrontendAddr() == servers[1].FrontendAddr() {
		t.Fatalf("both servers on %s", servers[0].FrontendAddr())
	}
	for _, srv := range servers {
		c, err := client.Dial(client.Options{HostPort: srv.FrontendAddr(), Logger: quietSDKLogger(t)})
		if err != nil {
			t.Fatalf("dial %s: %v", srv.FrontendAddr(), err)
		}
		resp, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		c.Close()
		if err != nil {
			t.Fatalf("describe namespace default on %s: %v", srv.FrontendAddr(), err)
		}
		if r := resp.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); r != 24*time.Hour {
			t.Errorf("in-memory retention = %v, want 24h", r)
		}
	}
}

func startServer(ctx context.Context, t *testing.T, cfg Config) *Server {
	t.Helper()
	srv, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func startWorker(t *testing.T, addr string) (client.Client, func()) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: testNamespace, Logger: quietSDKLogger(t)})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(setStateWorkflow)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatalf("start worker: %v", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			w.Stop()
			c.Close()
		})
	}
	t.Cleanup(stop)
	return c, stop
}

// waitListed polls visibility (eventually consistent) until query returns
// the workflow id.
func waitListed(ctx context.Context, t *testing.T, c client.Client, query, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: testNamespace,
			Query:     query,
		})
		if err == nil {
			for _, e := range resp.GetExecutions() {
				if e.GetExecution().GetWorkflowId() == id {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("list %s: want [%s], got %v, err %v", query, id, resp.GetExecutions(), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func historyEvents(ctx context.Context, t *testing.T, c client.Client, id, runID string) []enumspb.EventType {
	t.Helper()
	var types []enumspb.EventType
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		types = append(types, ev.GetEventType())
	}
	return types
}

func containsEvent(events []enumspb.EventType, want enumspb.EventType) bool {
	for _, e := range events {
		if e == want {
			return true
		}
	}
	return false
}

func checkUI(ctx context.Context, t *testing.T, srv *Server, uiAddr string) {
	t.Helper()
	if want := "http://" + uiAddr; srv.UIURL() != want {
		t.Fatalf("UIURL() = %q, want %q", srv.UIURL(), want)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.UIURL()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET UI: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET UI: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}

	// The UI's API proxies to the frontend over gRPC.
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, srv.UIURL()+"/api/v1/namespaces/"+testNamespace, nil)
	if err != nil {
		t.Fatal(err)
	}
	api, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET UI API: %v", err)
	}
	defer api.Body.Close()
	body, _ := io.ReadAll(api.Body)
	if api.StatusCode != http.StatusOK || !strings.Contains(string(body), testNamespace) {
		t.Fatalf("GET UI API: %s %.300s", api.Status, body)
	}
}

func mustFreePort(t *testing.T) int {
	t.Helper()
	port, err := freePort(loopback)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// testWriter forwards log lines to t.Log until the test ends; server
// goroutines may still log a little after that, which t.Log forbids.
type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, nil))
}

func quietSDKLogger(t *testing.T) sdklog.Logger {
	return sdklog.NewStructuredLogger(quietTestLogger(t))
}

func quietTestLogger(t *testing.T) *slog.Logger {
	l, _ := quietLogger(testLogger(t))
	return l
}
