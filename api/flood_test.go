package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// floodRunEvents bounds the events of any one run of a flooded campaign. With 20
// Updates per run (each about ten events), a run stays far below Temporal's 10,240-event
// warning however many objections the public sends.
const floodRunEvents = 600

// TestObjectionFloodDuringPublicity floods a campaign in publicity with thousands of
// objections from eight loopback addresses over real connections while the
// administrator keeps deciding them: every official action succeeds, no run of the
// campaign's history passes floodRunEvents, the campaign continues as new in the
// middle, and the final states are those of the same campaign without the flood.
func TestObjectionFloodDuringPublicity(t *testing.T) {
	t.Parallel()
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	limits := workflows.Limits{UpdatesPerRun: 20}

	quiet := newHarness(t, 2032, func(c *api.Config) { c.Limits = limits })
	quiet.toPublicity(admin, "3s")
	want := finalStates(t, quiet, admin)

	h := newHarness(t, 2033, func(c *api.Config) {
		c.Limits = limits
		c.ObjectionRate, c.ObjectionBurst = 500, 100
		c.MaxOpenObjectionsPerCounty = 15
	})
	srv := &http.Server{Handler: h.e, ReadHeaderTimeout: 5 * time.Second}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	h.toPublicity(admin, "20s")
	beforeEvents, beforeBytes := 0, 0
	for _, run := range chain(t, h, workflows.CampaignID(apitest.Province, h.year)) {
		e, b := size(run)
		beforeEvents, beforeBytes = beforeEvents+e, beforeBytes+b
	}

	const sources, perSource = 8, 400
	floodStart := time.Now()
	var accepted, folded, refused, limited atomic.Int64
	var unexpected sync.Map
	var flood sync.WaitGroup
	for s := 0; s < sources; s++ {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+s))}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext:         (&net.Dialer{LocalAddr: src}).DialContext,
			MaxIdleConnsPerHost: 4,
		}}
		flood.Add(1)
		go func() {
			defer flood.Done()
			for i := 0; i < perSource; i++ {
				county := []string{"520382", "520526", "520102"}[i%3]
				reason := fmt.Sprintf("来自 %s 的第 %d 条异议", src.IP, i)
				if i%5 == 0 {
					reason = "同一条异议" // identical ones fold
				}
				body, _ := json.Marshal(map[string]string{"reason": reason, "contact": fmt.Sprintf("c%d@%s", i%7, src.IP)})
				resp, err := client.Post(fmt.Sprintf("http://%s%s/objections", l.Addr(), h.appPath(county)), "application/json", bytes.NewReader(body))
				if err != nil {
					unexpected.Store(err.Error(), true)
					continue
				}
				var filed filedObjection
				_ = json.NewDecoder(resp.Body).Decode(&filed)
				_ = resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusAccepted && filed.Folded:
					folded.Add(1)
				case resp.StatusCode == http.StatusAccepted:
					accepted.Add(1)
				case resp.StatusCode == http.StatusConflict:
					refused.Add(1) // a cap: the county or the contact has enough open objections
				case resp.StatusCode == http.StatusServiceUnavailable:
					limited.Add(1)
				default:
					unexpected.Store(fmt.Sprintf("status %d", resp.StatusCode), true)
				}
			}
		}()
	}
	floodDone := make(chan struct{})
	var floodTook time.Duration
	go func() { flood.Wait(); floodTook = time.Since(floodStart); close(floodDone) }()

	// The administrator decides open objections while the flood goes on; each decision
	// is an Update on the campaign and must succeed.
	decided := 0
	decideOpen := func() int {
		var page struct{ Objections []readmodel.Objection }
		h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/objections?status=open&limit=50", token: admin}).decode(t, &page)
		for _, o := range page.Objections {
			h.must(http.StatusOK, req{method: http.MethodPost, path: h.campaignPath() + "/objections/" + o.ID + "/resolution", token: admin,
				body: map[string]string{"decision": "dismissed", "note": "查无实据"}})
			decided++
		}
		return len(page.Objections)
	}
	for flooding := true; flooding; {
		select {
		case <-floodDone:
			flooding = false
		default:
			if decideOpen() == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	for decideOpen() > 0 {
	}
	unexpected.Range(func(k, _ any) bool { t.Errorf("flood: unexpected answer %v", k); return true })
	total := accepted.Load() + folded.Load() + refused.Load() + limited.Load()
	if total < 3000 || accepted.Load() == 0 || folded.Load() == 0 || refused.Load() == 0 {
		t.Fatalf("the flood should file, fold and cap objections: accepted %d, folded %d, capped %d, limited %d",
			accepted.Load(), folded.Load(), refused.Load(), limited.Load())
	}

	got := finalStates(t, h, admin)
	for county, s := range want {
		if got[county] != s {
			t.Errorf("%s ends %s after the flood, %s without", county, got[county], s)
		}
	}
	runs := chain(t, h, workflows.CampaignID(apitest.Province, h.year))
	if len(runs) < 2 {
		t.Fatalf("the campaign should have continued as new during the flood (%d decisions); it has %d run", decided, len(runs))
	}
	var events, bytes int
	for i, run := range runs {
		e, b := size(run)
		if e > floodRunEvents {
			t.Errorf("run %d of the campaign has %d events; the bound is %d", len(runs)-i, e, floodRunEvents)
		}
		events, bytes = events+e, bytes+b
	}
	t.Logf("flood: %d objections answered in %s (%d filed, %d folded, %d capped, %d rate-limited), %d decisions; campaign: %d runs, %d events, %d bytes; "+
		"to the notice (%d Updates) %d events, %d bytes; per decision during the flood %.1f events, %.0f bytes; per objection 0",
		total, floodTook.Round(time.Millisecond), accepted.Load(), folded.Load(), refused.Load(), limited.Load(), decided, len(runs), events, bytes,
		toNoticeUpdates, beforeEvents, beforeBytes, float64(events-beforeEvents)/float64(decided), float64(bytes-beforeBytes)/float64(decided))
	if strings.Contains(fmt.Sprint(runs), "c1@127.0.0") {
		t.Error("an objector's contact reached the campaign's history")
	}
}

// toNoticeUpdates counts the Updates toPublicity sends: 4 × (register, materials,
// submit), 2 self-applications, 1 filing, 4 scorecards, the ranking and the notice.
const toNoticeUpdates = 4*3 + 2 + 1 + 4 + 2

// finalStates waits for the campaign to close and returns each case's state.
func finalStates(t *testing.T, h *harness, admin string) map[string]domain.State {
	t.Helper()
	apitest.Eventually(t, time.Minute, "the campaign closes", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseClosed, string(p)
	})
	var page struct{ Applications []readmodel.Application }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/applications", token: admin}).decode(t, &page)
	out := map[string]domain.State{}
	for _, a := range page.Applications {
		out[a.County] = a.State
	}
	return out
}
