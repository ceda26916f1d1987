package domain

import (
	"testing"
	"time"
)

func score(f float64) *float64 { return &f }

// R13: what an amendment may change, and when.
func TestCheckAmendment_R13(t *testing.T) {
	d := MustReference("520000", "2016")
	before := deadline.Add(-24 * time.Hour)
	open := AmendmentState{RecommendationOpen: true}
	tests := []struct {
		name    string
		now     time.Time
		st      AmendmentState
		am      Amendment
		code    Code
		rule    string
		changes int
	}{
		{"no reason", before, open, Amendment{RecommendationDeadline: deadline.Add(96 * time.Hour)}, CodeBadRequest, "R13", 0},
		{"no change", before, open, Amendment{Reason: "typo"}, CodeBadRequest, "R13", 0},
		{"same deadline is no change", before, open, Amendment{Reason: "x", RecommendationDeadline: deadline}, CodeBadRequest, "R13", 0},
		{"extend recommendation", before, open, Amendment{Reason: "flood", RecommendationDeadline: deadline.Add(96 * time.Hour)}, "", "", 1},
		{"recommendation after notice", before, open, Amendment{Reason: "x", RecommendationDeadline: deadline.Add(20 * 24 * time.Hour)}, CodeBadRequest, "R1", 0},
		{"passed deadline cannot move", deadline.Add(time.Second), open, Amendment{Reason: "x", RecommendationDeadline: deadline.Add(96 * time.Hour)}, CodeDeadlinePassed, "R13", 0},
		{"swept deadline cannot move", before, AmendmentState{}, Amendment{Reason: "x", RecommendationDeadline: deadline.Add(96 * time.Hour)}, CodeDeadlinePassed, "R13", 0},
		{"new deadline already past", before, open, Amendment{Reason: "x", RecommendationDeadline: before.Add(-time.Hour)}, CodeDeadlinePassed, "R13", 0},
		{"notice moves after recommendation", deadline.Add(time.Hour), AmendmentState{}, Amendment{Reason: "x", NoticeDeadline: deadline.Add(15 * 24 * time.Hour)}, "", "", 1},
		{"notice deadline done", deadline.Add(time.Hour), AmendmentState{NoticeDeadlineDone: true}, Amendment{Reason: "x", NoticeDeadline: deadline.Add(15 * 24 * time.Hour)}, CodeDeadlinePassed, "R13", 0},
		{"score and exclusion", before, open, Amendment{Reason: "x", NationalScores: map[string]*float64{"520328": score(88), "520322": score(70)}, ExcludedAdd: []string{"520111"}, ExcludedRemove: []string{"520123"}}, "", "", 4},
		{"strike a score", before, open, Amendment{Reason: "x", NationalScores: map[string]*float64{"520328": nil}}, "", "", 1},
		{"strike a missing score", before, open, Amendment{Reason: "x", NationalScores: map[string]*float64{"520322": nil}}, CodeBadRequest, "R13", 0},
		{"score out of range", before, open, Amendment{Reason: "x", NationalScores: map[string]*float64{"520322": score(101)}}, CodeBadRequest, "R1", 0},
		{"scores after the deadline", deadline.Add(time.Second), open, Amendment{Reason: "x", NationalScores: map[string]*float64{"520322": score(70)}}, CodeInvalidState, "R13", 0},
		{"exclude twice", before, open, Amendment{Reason: "x", ExcludedAdd: []string{"520123"}}, CodeBadRequest, "R13", 0},
		{"remove a county not excluded", before, open, Amendment{Reason: "x", ExcludedRemove: []string{"520111"}}, CodeBadRequest, "R13", 0},
		{"add and remove one county", before, open, Amendment{Reason: "x", ExcludedAdd: []string{"520111"}, ExcludedRemove: []string{"520111"}}, CodeBadRequest, "R13", 0},
		{"exclude outside the province", before, open, Amendment{Reason: "x", ExcludedAdd: []string{"110101"}}, CodeBadRequest, "R1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg2016()
			next, changes, err := CheckAmendment(tt.now, c, tt.st, d, tt.am)
			refusedWith(t, err, tt.code, tt.rule)
			if len(changes) != tt.changes {
				t.Fatalf("changes = %v, want %d", changes, tt.changes)
			}
			if err != nil && !next.RecommendationDeadline.Equal(c.RecommendationDeadline) {
				t.Error("a refused amendment must leave the configuration as it was")
			}
		})
	}
}

// R13: the corrected configuration holds the new values, the old one is untouched.
func TestCheckAmendmentValues_R13(t *testing.T) {
	c := cfg2016()
	next, changes, err := CheckAmendment(deadline.Add(-time.Hour), c, AmendmentState{RecommendationOpen: true}, MustReference("520000", "2016"), Amendment{
		Reason: "national list corrected", RecommendationDeadline: deadline.Add(96 * time.Hour),
		NationalScores: map[string]*float64{"520328": score(88)}, ExcludedAdd: []string{"520111"}, ExcludedRemove: []string{"520123"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if next.NationalScores["520328"] != 88 || c.NationalScores["520328"] != 86.5 {
		t.Errorf("scores: next %v, old %v", next.NationalScores, c.NationalScores)
	}
	if !next.IsExcluded("520111") || next.IsExcluded("520123") || !c.IsExcluded("520123") {
		t.Errorf("exclusions: next %v, old %v", next.Excluded, c.Excluded)
	}
	want := []Change{
		{Field: FieldRecommendationDeadline, Old: "2016-08-01T23:59:59+08:00", New: "2016-08-05T23:59:59+08:00"},
		{Field: FieldNationalScore, County: "520328", Old: "86.5", New: "88"},
		{Field: FieldExcluded, County: "520123", Old: "excluded", New: "eligible"},
		{Field: FieldExcluded, County: "520111", Old: "eligible", New: "excluded"},
	}
	if len(changes) != len(want) {
		t.Fatalf("changes %v", changes)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, changes[i], want[i])
		}
	}
}

// R13: a reinstatement needs a reason, a forfeited prefecture and an open deadline.
func TestCheckReinstate_R13(t *testing.T) {
	c := cfg2016()
	before := deadline.Add(-time.Hour)
	refusedWith(t, CheckReinstate(before, c, true, "520300", PrefectureForfeited, ""), CodeBadRequest, "R13")
	refusedWith(t, CheckReinstate(before, c, true, "520300", PrefectureFiled, "x"), CodeInvalidState, "R13")
	refusedWith(t, CheckReinstate(deadline.Add(time.Second), c, true, "520300", PrefectureForfeited, "x"), CodeDeadlinePassed, "R13")
	refusedWith(t, CheckReinstate(before, c, false, "520300", PrefectureForfeited, "x"), CodeDeadlinePassed, "R13")
	refusedWith(t, CheckReinstate(before, c, true, "520300", PrefectureForfeited, "filed for the wrong prefecture"), "", "")
}

// R14: the API's receipt counts within the window, never from the future.
func TestActTime_R14(t *testing.T) {
	now := deadline.Add(3 * time.Second)
	tests := []struct {
		received, want time.Time
	}{
		{time.Time{}, now},
		{deadline, deadline},
		{now.Add(-ReceiptWindow), now.Add(-ReceiptWindow)},
		{now.Add(-ReceiptWindow - time.Millisecond), now},
		{now.Add(time.Second), now},
	}
	for _, tt := range tests {
		if got := ActTime(now, tt.received); !got.Equal(tt.want) {
			t.Errorf("ActTime(%v) = %v, want %v", tt.received, got, tt.want)
		}
	}
}
