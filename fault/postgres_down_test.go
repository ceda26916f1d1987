package fault

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/pgcluster"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// pgServer drives a private cluster's server directly with pg_ctl, so it can come back
// on the port it had: pgcluster picks a free port at every start, but the running
// process's DATABASE_URL names one port for its whole life.
type pgServer struct {
	dir   string
	port  int
	pgCtl string
}

func (s pgServer) run(ctx context.Context, args ...string) error {
	argv := append([]string{s.pgCtl}, args...)
	if os.Geteuid() == 0 {
		argv = append([]string{"runuser", "-u", "postgres", "--"}, argv...) // PostgreSQL refuses root
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", strings.Join(args, " "), err, out.String())
	}
	return nil
}

func (s pgServer) stop(ctx context.Context) error {
	return s.run(ctx, "-D", s.dir, "-m", "fast", "-w", "stop")
}

func (s pgServer) start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", s.port, s.dir)
	return s.run(ctx, "-D", s.dir, "-o", opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start")
}

func (s pgServer) answers() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// TestPostgresDownAcrossDeadline runs `selection run` on a private PostgreSQL cluster
// (Temporal on SQLite, so only the read model loses its database) and stops the
// cluster a few seconds before the recommendation deadline. While it is down the
// deadline still fires — the campaign workflow, asked through the Temporal frontend, is
// reviewing, and visibility lists the expired cases — /healthz stays 200 and /readyz
// answers 503 naming PostgreSQL. The cluster then comes back on the same port and the
// read model catches up: the Project activity, retried with backoff, writes what the
// deadline decided.
func TestPostgresDownAcrossDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary and a private PostgreSQL cluster")
	}
	t.Parallel()
	_, pgCtl, err := pgcluster.Binaries()
	require.NoError(t, err, "the PostgreSQL server binaries are part of this machine's set-up")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	base := t.TempDir()
	// As root the server runs as postgres, which must be able to reach the directory.
	for _, d := range []string{filepath.Dir(base), base} {
		require.NoError(t, os.Chmod(d, 0o755))
	}
	dir := filepath.Join(base, "pg")
	cluster, err := pgcluster.Start(ctx, dir)
	require.NoError(t, err)
	_, portText, _ := net.SplitHostPort(cluster.Addr())
	port, _ := strconv.Atoi(portText)
	pg := pgServer{dir: dir, port: port, pgCtl: pgCtl}
	t.Cleanup(func() {
		if pg.answers() {
			_ = pg.stop(context.Background())
		}
	})
	dbURL := cluster.URL("selection")

	n := newNode(t, "pg-down", dbURL, "TEMPORAL_PERSISTENCE=sqlite")
	n.start()
	c := newClient(n.httpAddr)
	requests := 0
	must := func(role domain.Role, region, what string, f call) {
		t.Helper()
		requests++
		require.NoError(t, c.do(ctx, role, region, fmt.Sprintf("pg-down-%d", requests), f), what)
	}
	now := time.Now().In(domain.Shanghai).Truncate(time.Second)
	deadline := now.Add(15 * time.Second)
	must(domain.RoleAdmin, "520000", "open campaign", func(ctx context.Context, c *apiclient.Client) error {
		_, err := c.CreateCampaign(ctx, api.CreateCampaignRequest{
			Year: year, Province: "520000", Quota: 1, PrefectureCap: 2,
			RecommendationDeadline: deadline.Format(time.RFC3339),
			NoticeDeadline:         now.Add(20 * time.Minute).Format(time.RFC3339),
			NationalScores:         map[string]float64{"520111": 80, "520102": 70},
		})
		return err
	})
	// 520111 is recommended and goes to review; 520102 submits but nobody recommends
	// it, 520103 only registers: both expire at the deadline (R5).
	for _, cc := range []string{"520102", "520103", "520111"} {
		must(domain.RoleCounty, cc, "register "+cc, func(ctx context.Context, c *apiclient.Client) error {
			_, err := c.RegisterApplication(ctx, year, api.RegisterRequest{County: cc})
			return err
		})
	}
	for _, cc := range []string{"520102", "520111"} {
		must(domain.RoleCounty, cc, "submit "+cc, func(ctx context.Context, c *apiclient.Client) error {
			_, err := c.Submit(ctx, year, cc)
			return err
		})
	}
	must(domain.RolePrefecture, "520100", "recommend", func(ctx context.Context, c *apiclient.Client) error {
		_, err := c.Recommend(ctx, year, "520100", api.RecommendRequest{Counties: []string{"520111"}})
		return err
	})

	time.Sleep(time.Until(deadline.Add(-4 * time.Second)))
	require.NoError(t, pg.stop(ctx))
	stopped := time.Now()
	require.False(t, pg.answers(), "PostgreSQL still answers after pg_ctl stop")
	t.Logf("PostgreSQL stopped %s before the deadline", deadline.Sub(stopped).Round(time.Millisecond))

	// Liveness must not depend on PostgreSQL; readiness must say it is gone.
	health := probe(n.httpAddr)
	assert.NoError(t, health.Health(ctx), "/healthz while PostgreSQL is down")
	ready, err := health.Ready(ctx)
	assertUnavailable(t, err, "/readyz while PostgreSQL is down")
	assert.Equal(t, map[string]string{"postgres": "unreachable", "temporal": "ok"}, ready.Checks, "/readyz checks while PostgreSQL is down")

	// The deadline fires with the read model's database gone: Temporal knows.
	tc, err := tclient.DialContext(ctx, tclient.Options{HostPort: n.frontend(), Namespace: "default"})
	require.NoError(t, err)
	defer tc.Close()
	var v readmodel.CampaignView
	for {
		resp, err := tc.QueryWorkflow(ctx, workflows.CampaignID("520000", year), "", workflows.QueryCampaign)
		if err == nil {
			require.NoError(t, resp.Get(&v))
			if v.Phase == domain.PhaseReviewing {
				break
			}
		}
		require.NoError(t, ctx.Err(), "the deadline did not fire while PostgreSQL was down (phase %s, %v)", v.Phase, err)
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("deadline fired %s after the deadline instant, PostgreSQL down", time.Since(deadline).Round(time.Millisecond))
	require.False(t, pg.answers(), "the deadline must be seen while PostgreSQL is down")
	assert.Equal(t, 2, v.Counts[domain.StateExpired])
	assert.Equal(t, 1, v.Counts[domain.StateUnderReview])
	assert.Equal(t, domain.PrefectureGaveUp, prefectureStatus(v, "520200"), "a prefecture that filed nothing gave up")
	// Visibility too: the case workflows' search attributes moved without PostgreSQL.
	query := fmt.Sprintf(`CampaignYear = %d AND ApplicationState = "expired"`, year)
	for {
		resp, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: query})
		if err == nil && resp.GetCount() == 2 {
			break
		}
		require.NoError(t, ctx.Err(), "visibility never listed the 2 expired cases (%v)", err)
		time.Sleep(200 * time.Millisecond)
	}
	_, err = health.Ready(ctx)
	assertUnavailable(t, err, "/readyz while PostgreSQL is still down")
	assert.NoError(t, health.Health(ctx), "/healthz while PostgreSQL is still down")

	// Keep it down a while past the deadline, then bring it back on the same port.
	time.Sleep(time.Until(deadline.Add(8 * time.Second)))
	require.NoError(t, pg.start(ctx))
	back := time.Now()
	t.Logf("PostgreSQL back on port %d after %s down", port, back.Sub(stopped).Round(time.Millisecond))
	require.NoError(t, waitReady(n.httpAddr, time.Minute), "/readyz after PostgreSQL came back")

	// The read model catches up: the deadline's projection lands once PostgreSQL answers.
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	want := map[string]string{"520102": "expired", "520103": "expired", "520111": "under_review"}
	for {
		got := map[string]string{}
		rows, err := conn.Query(ctx, `SELECT county, state FROM applications WHERE year = $1`, year)
		require.NoError(t, err)
		for rows.Next() {
			var county, state string
			require.NoError(t, rows.Scan(&county, &state))
			got[county] = state
		}
		require.NoError(t, rows.Err())
		var phase string
		require.NoError(t, conn.QueryRow(ctx, `SELECT phase FROM campaigns WHERE year = $1`, year).Scan(&phase))
		if assert.ObjectsAreEqual(want, got) && phase == string(domain.PhaseReviewing) {
			t.Logf("read model caught up %s after PostgreSQL came back", time.Since(back).Round(time.Millisecond))
			break
		}
		require.NoError(t, ctx.Err(), "the read model did not catch up: %v, phase %s", got, phase)
		time.Sleep(250 * time.Millisecond)
	}
	// And the API serves it again.
	admin, err := c.as(domain.RoleAdmin, "520000")
	require.NoError(t, err)
	served, err := admin.Campaign(ctx, year)
	require.NoError(t, err)
	assert.Equal(t, domain.PhaseReviewing, served.Phase)
	assert.Equal(t, 2, served.Counts[domain.StateExpired])
	tl, err := admin.ApplicationTimeline(ctx, year, "520103", apiclient.TimelineQuery{})
	require.NoError(t, err)
	var to []string
	for i, e := range tl.Events {
		assert.Equal(t, int64(i+1), e.Seq)
		to = append(to, e.To)
	}
	assert.Equal(t, []string{"registered", "expired"}, to, "520103's timeline")
}

// assertUnavailable checks that a readiness probe answered 503.
func assertUnavailable(t *testing.T, err error, what string) {
	t.Helper()
	e, ok := apiclient.AsError(err)
	if assert.True(t, ok, "%s: want a 503 answer, got %v", what, err) {
		assert.Equal(t, http.StatusServiceUnavailable, e.Status, "%s: %v", what, e)
	}
}

func prefectureStatus(v readmodel.CampaignView, code string) domain.PrefectureStatus {
	for _, p := range v.Prefectures {
		if p.Code == code {
			return p.Status
		}
	}
	return ""
}
