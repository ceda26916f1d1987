package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store/storetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// process is one `selection run` started by a test.
type process struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

func startRun(t *testing.T, bin string, env []string, httpAddr string) *process {
	t.Helper()
	cmd := exec.Command(bin, "run")
	cmd.Env = append(os.Environ(), env...)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, logs
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, logs: logs}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	probe := apiclient.New("http://"+httpAddr, &http.Client{Timeout: 5 * time.Second})
	deadline := time.Now().Add(90 * time.Second)
	for {
		if _, err := probe.Ready(context.Background()); err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("selection run did not become ready; logs:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRunSurvivesKill9 starts the binary, drives a campaign over HTTP, kills the
// process with SIGKILL before the recommendation deadline, keeps it down past the
// deadline and restarts it on the same DATA_DIR: the timer that fell due while it was
// down fires at once, the campaign carries on to the end, and no timeline row is lost
// or duplicated.
func TestRunSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "selection")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	httpAddr := freeAddr(t)
	env := []string{
		"DATA_DIR=" + t.TempDir(), "HTTP_ADDR=" + httpAddr, "TEMPORAL_FRONTEND_ADDR=" + freeAddr(t),
		"TEMPORAL_UI_ADDR=" + freeAddr(t), "DATABASE_URL=" + storetest.NewDatabase(t), "JWT_SECRET=kill-test",
	}
	p := startRun(t, bin, env, httpAddr)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tok, err := api.MintToken([]byte("kill-test"), domain.RoleAdmin, "520000", "kill-test-admin", time.Hour)
	require.NoError(t, err)
	admin := apiclient.New("http://"+httpAddr, nil).WithToken(tok)
	must := func(what string, err error) {
		t.Helper()
		require.NoError(t, err, what)
	}
	now := time.Now().In(domain.Shanghai).Truncate(time.Second)
	recDeadline := now.Add(12 * time.Second)
	_, err = admin.CreateCampaign(ctx, api.CreateCampaignRequest{
		Year: 2016, Province: "520000", Quota: 1, PrefectureCap: 2,
		RecommendationDeadline: recDeadline.Format(time.RFC3339),
		NoticeDeadline:         now.Add(10 * time.Minute).Format(time.RFC3339),
		PublicityPeriod:        "3s", NationalScores: map[string]float64{"520111": 80, "520112": 70, "520102": 60},
	})
	must("create campaign", err)
	for _, c := range []string{"520102", "520111", "520112"} {
		_, err := admin.RegisterApplication(ctx, 2016, api.RegisterRequest{County: c})
		must("register "+c, err)
		_, err = admin.Submit(ctx, 2016, c)
		must("submit "+c, err)
	}
	_, err = admin.Recommend(ctx, 2016, "520100", api.RecommendRequest{Counties: []string{"520111", "520112"}})
	must("recommend", err)

	// kill -9 before the deadline; stay down until after it.
	require.NoError(t, p.cmd.Process.Kill())
	_ = p.cmd.Wait()
	time.Sleep(time.Until(recDeadline.Add(3 * time.Second)))
	startRun(t, bin, env, httpAddr)

	var v readmodel.CampaignView
	for {
		v, err = admin.Campaign(ctx, 2016)
		must("campaign", err)
		if v.Phase == domain.PhaseReviewing {
			break
		}
		require.NoError(t, ctx.Err(), "the deadline did not fire after the restart")
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, 1, v.Counts[domain.StateExpired])
	assert.Equal(t, 2, v.Counts[domain.StateUnderReview])
	for _, c := range []string{"520111", "520112"} {
		_, err := admin.Score(ctx, 2016, c, api.ScoreRequest{Criteria: domain.Scorecard{
			"organization": 80, "infrastructure": 80, "logistics": 80, "online_sales": 80, "implementers": 80, "other": 80}})
		must("score "+c, err)
	}
	_, err = admin.Rank(ctx, 2016)
	must("rank", err)
	_, err = admin.PublishNotice(ctx, 2016)
	must("notice", err)
	for v.Phase != domain.PhaseClosed {
		require.NoError(t, ctx.Err(), "publicity did not end")
		time.Sleep(200 * time.Millisecond)
		v, err = admin.Campaign(ctx, 2016)
		must("campaign", err)
	}
	assert.Equal(t, 1, v.Counts[domain.StateDesignated])
	assert.Equal(t, 1, v.Counts[domain.StateNotSelected])

	want := map[string][]string{
		"520102": {"registered", "submitted", "expired"},
		"520111": {"registered", "submitted", "recommended", "under_review", "under_review", "shortlisted", "shortlisted", "designated"},
	}
	for county, states := range want {
		tl, err := admin.ApplicationTimeline(ctx, 2016, county, apiclient.TimelineQuery{})
		must(county+" timeline", err)
		var got []string
		for i, e := range tl.Events {
			assert.Equal(t, int64(i+1), e.Seq, "%s: no gap, no duplicate", county)
			got = append(got, e.To)
		}
		b, _ := json.Marshal(tl.Events)
		assert.Equal(t, states, got, "%s timeline: %s", county, b)
	}
}
