package store_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/workflows"
)

// The activities write through this interface; the store must keep satisfying it.
var _ activities.Store = (*store.Store)(nil)

const year = 2016

var shanghai = time.FixedZone("CST", 8*3600)

// july returns a moment of the 2016 campaign, in Beijing time as the workflows record it.
func july(day, hour int) time.Time { return time.Date(year, time.July, day, hour, 0, 0, 0, shanghai) }

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openStore opens a store on a fresh database of its own.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, storetest.NewDatabase(t), testLogger(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func ptr[T any](v T) *T { return &v }

func campaignView(version int64, phase domain.Phase) *readmodel.CampaignView {
	return &readmodel.CampaignView{
		Year: year, Province: "520000", WorkflowID: workflows.CampaignID("520000", year), Phase: phase, Quota: 12, PrefectureCap: 2,
		Deadlines: readmodel.Deadlines{
			Recommendation:  time.Date(year, time.August, 1, 23, 59, 59, 0, shanghai),
			Notice:          time.Date(year, time.August, 10, 23, 59, 59, 0, shanghai),
			PublicityPeriod: "168h",
		},
		Counts:         map[domain.State]int{domain.StateRegistered: 2, domain.StateSubmitted: 1},
		Prefectures:    []readmodel.Prefecture{{Code: "520300", Name: "遵义市", Status: domain.PrefectureOpen, Recommended: []string{}}},
		Excluded:       []string{"520123"},
		NationalScores: map[string]float64{"520328": 86.5},
		Weights:        domain.DefaultWeights(),
		UpdatedAt:      july(20, 9).Add(time.Duration(version) * time.Minute),
		Version:        version,
	}
}

func application(county, prefecture string, state domain.State, version int64) readmodel.Application {
	return readmodel.Application{
		Year: year, County: county, Name: "县" + county, Prefecture: prefecture, State: state,
		Materials: readmodel.MaterialsView{
			Items:   map[string]readmodel.MaterialView{"2": {Title: "申报书", Required: true, Copies: 3, Complete: true}},
			Missing: []string{"3"},
		},
		Scores:    readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}},
		UpdatedAt: july(20, 9).Add(time.Duration(version) * time.Minute),
		Version:   version,
	}
}

func scorecard(reviewer string, logistics float64) readmodel.ScorecardView {
	return readmodel.ScorecardView{
		Reviewer: reviewer, Comment: "看过 " + reviewer, At: july(25, 10),
		Criteria: domain.Scorecard{"organization": 80, "infrastructure": 75, "logistics": logistics,
			"online_sales": 85, "implementers": 70, "other": 60},
	}
}

func event(workflowID string, seq int64, action string) readmodel.Event {
	return readmodel.Event{WorkflowID: workflowID, Seq: seq, At: july(20, 9).Add(time.Duration(seq) * time.Minute),
		Actor: "county:520322", Action: action, From: "registered", To: "submitted", Rule: "R6", Detail: "第" + action}
}

// projectionV builds the batch the campaign would project at version v: every snapshot
// carries v, so a higher v is strictly newer; events accumulate with v.
func projectionV(v int64) readmodel.Projection {
	state := domain.StateRegistered
	if v >= 2 {
		state = domain.StateSubmitted
	}
	a := application("520322", "520300", state, v)
	a.Scores.Scorecards = append(a.Scores.Scorecards, scorecard("reviewer-a", float64(60+v)))
	a.Scores.Review = ptr(70 + float64(v))
	b := application("520328", "520300", domain.StateRegistered, v)
	b.Exempt = true
	c := application("520382", "520300", domain.StateRecommended, v)
	c.DirectlyAdministered, c.SelfApplied = true, true
	var events []readmodel.Event
	for seq := int64(1); seq <= v+1; seq++ {
		events = append(events, event(workflows.ApplicationID(year, "520322"), seq, "step"+string(rune('0'+seq))))
	}
	events = append(events, event(workflows.CampaignID("520000", year), 1, "created"))
	return readmodel.Projection{
		Year:         year,
		Province:     "520000",
		Campaign:     campaignView(v, domain.PhaseOpen),
		Applications: []readmodel.Application{a, b, c},
		Events:       events,
		Objections: []readmodel.Objection{{
			ID: "obj-1", Year: year, County: "520322", Reason: "材料不实", Contact: "138", Status: domain.ObjectionOpen,
			FiledAt: july(28, 8), Version: v,
		}},
	}
}

// sameJSON compares values by their JSON encoding: the API serves JSON, and time zones
// survive it as offsets rather than as *time.Location pointers.
func sameJSON(t testing.TB, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(w) != string(g) {
		t.Errorf("stored value differs\nwant %s\n got %s", w, g)
	}
}

// count runs a COUNT(*) query.
func count(t testing.TB, s *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
