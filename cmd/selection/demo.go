package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// The demo's illustrative data: the notice names no applicants, scores or exclusion
// list, so these are made up and labelled as such wherever they are printed.
// demoProvince is the province the demo plays: Guizhou, the province of the 2016 notice.
const demoProvince = "520000"

var (
	demoExcluded = []string{"520123", "520425", "522328"} // illustrative: "already a demonstration county"
	demoNational = map[string]float64{"520328": 86.5, "522635": 81}
	// demoFilings: each prefecture's ordered pick. 六盘水 files three (over the cap of
	// two) and forfeits; 黔南 files nothing and gives up.
	demoFilings = map[string][]string{
		"520100": {"520111", "520112"}, "520200": {"520201", "520203", "520221"}, "520300": {"520328", "520302"},
		"520400": {"520402", "520422"}, "520500": {"520502", "520521"}, "520600": {"520602", "520603"},
		"522300": {"522301", "522322"}, "522600": {"522635", "522601"},
	}
	demoSelfApplied = []string{"520382", "520526"}
	demoUnpicked    = []string{"520102", "522701"} // apply, but nobody recommends them: they expire
)

// runDemo plays a 2016-style campaign against a running server through the HTTP API,
// with the calendar compressed so the whole process takes minutes.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of a running `selection run` (or api)")
	speed := fs.String("speed", "1d=4s", "calendar compression: campaign time = real time, e.g. 1d=4s, 1d=10s")
	year := fs.Int("year", 0, "campaign year (default: the first year from 2016 without a campaign)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scale, err := parseSpeed(*speed)
	if err != nil {
		return err
	}
	secret := env("JWT_SECRET")
	if secret == "" {
		secret = devJWTSecret
	}
	d := &demo{api: apiclient.New(*base, nil), secret: []byte(secret), scale: scale}
	return d.play(ctx, *year)
}

// parseSpeed reads "1d=4s": how much real time one unit of campaign time takes.
func parseSpeed(s string) (float64, error) {
	campaign, real, ok := strings.Cut(s, "=")
	if !ok {
		return 0, fmt.Errorf("--speed %q: want campaign=real, e.g. 1d=4s", s)
	}
	cd, err := parseDays(campaign)
	if err != nil {
		return 0, fmt.Errorf("--speed %q: %v", s, err)
	}
	rd, err := time.ParseDuration(real)
	if err != nil || rd <= 0 {
		return 0, fmt.Errorf("--speed %q: real time must be a positive duration like 4s", s)
	}
	return float64(rd) / float64(cd), nil
}

func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days float64
		if _, err := fmt.Sscanf(n, "%g", &days); err != nil || days <= 0 {
			return 0, fmt.Errorf("campaign time %q is not a positive number of days", s)
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("campaign time %q is not a positive duration (1d, 12h, 1m)", s)
	}
	return d, nil
}

type demo struct {
	api    *apiclient.Client // no token: the public routes
	secret []byte
	scale  float64 // real time per campaign time
	tokens map[string]*apiclient.Client
}

// real converts a span of the 2016 calendar to demo time.
func (d *demo) real(campaign time.Duration) time.Duration {
	return time.Duration(float64(campaign) * d.scale).Round(time.Second)
}

// as is the API as one official (role and region), with a token minted for the demo.
func (d *demo) as(role domain.Role, region string) (*apiclient.Client, error) {
	key := string(role) + region
	if c, ok := d.tokens[key]; ok {
		return c, nil
	}
	t, err := api.MintToken(d.secret, role, region, "demo-"+string(role)+"-"+region, 2*time.Hour)
	if err != nil {
		return nil, err
	}
	if d.tokens == nil {
		d.tokens = map[string]*apiclient.Client{}
	}
	c := d.api.WithToken(t)
	d.tokens[key] = c
	return c, nil
}

// reviewer is the API as a named reviewer: each reviewer's card is their own (R8).
func (d *demo) reviewer(name string) (*apiclient.Client, error) {
	t, err := api.MintToken(d.secret, domain.RoleReviewer, demoProvince, name, time.Hour)
	if err != nil {
		return nil, err
	}
	return d.api.WithToken(t), nil
}

func step(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (d *demo) play(ctx context.Context, year int) error {
	year, err := d.freeYear(ctx, year)
	if err != nil {
		return err
	}
	admin, err := d.as(domain.RoleAdmin, demoProvince)
	if err != nil {
		return err
	}
	start := time.Now().Truncate(time.Second)
	// The 2016 calendar from 1 July, compressed: 31 days to the recommendation deadline,
	// 9 more to the notice deadline, 7 days of publicity.
	recDeadline := start.Add(d.real(31 * 24 * time.Hour))
	noticeDeadline := recDeadline.Add(d.real(9 * 24 * time.Hour))
	publicity := d.real(7 * 24 * time.Hour)
	if publicity < 5*time.Second {
		return fmt.Errorf("--speed is too fast: publicity would last %s; use at least 1d=1s", publicity)
	}
	fmt.Printf("Demo campaign %d — calendar compressed so that 1 day of 2016 takes %s.\n", year, d.real(24*time.Hour))
	fmt.Println("Illustrative data (not from the notice): which counties apply, their scores, the exclusion list, the objections.")
	fmt.Println()

	cfg := api.CreateCampaignRequest{
		Year: year, Province: demoProvince, Quota: 12, PrefectureCap: 2,
		RecommendationDeadline: recDeadline.In(domain.Shanghai).Format(time.RFC3339),
		NoticeDeadline:         noticeDeadline.In(domain.Shanghai).Format(time.RFC3339),
		PublicityPeriod:        publicity.String(), Excluded: demoExcluded, NationalScores: demoNational,
	}
	if _, err := admin.CreateCampaign(ctx, cfg); err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	step("campaign %d opened: quota 12, at most 2 per prefecture; recommendation deadline in %s", year, time.Until(recDeadline).Round(time.Second))

	var applicants []string
	for _, p := range domain.SortedCodes(demoFilings) {
		applicants = append(applicants, demoFilings[p]...)
	}
	applicants = append(append(applicants, demoSelfApplied...), demoUnpicked...)
	sort.Strings(applicants)
	complete := domain.Materials{}
	for _, it := range domain.Checklist {
		if it.Required {
			complete[it.Number] = domain.Delivery{Copies: domain.RequiredCopies}
		}
	}
	for _, c := range applicants {
		county, err := d.as(domain.RoleCounty, c)
		if err != nil {
			return err
		}
		if _, err := county.RegisterApplication(ctx, year, api.RegisterRequest{County: c}); err != nil {
			return fmt.Errorf("register %s: %w", c, err)
		}
		if _, exempt := demoNational[c]; !exempt {
			if _, err := county.PutMaterials(ctx, year, c, api.MaterialsRequest{Items: complete}); err != nil {
				return fmt.Errorf("materials %s: %w", c, err)
			}
		}
		if _, err := county.Submit(ctx, year, c); err != nil {
			return fmt.Errorf("submit %s: %w", c, err)
		}
	}
	step("%d counties registered, delivered their materials (一式三份) and submitted", len(applicants))
	excluded, err := d.as(domain.RoleCounty, "520123")
	if err != nil {
		return err
	}
	_, err = excluded.RegisterApplication(ctx, year, api.RegisterRequest{County: "520123"})
	step("修文县 520123 tries to apply: %v", err)

	for _, c := range demoSelfApplied {
		county, err := d.as(domain.RoleCounty, c)
		if err != nil {
			return err
		}
		if _, err := county.SelfApply(ctx, year, c, api.SelfApplyRequest{DocumentRef: "自行申报"}); err != nil {
			return fmt.Errorf("self-apply %s: %w", c, err)
		}
	}
	step("directly administered 仁怀市 and 威宁县 applied on their own (R4)")
	for _, p := range domain.SortedCodes(demoFilings) {
		pref, err := d.as(domain.RolePrefecture, p)
		if err != nil {
			return err
		}
		list := demoFilings[p]
		body := api.RecommendRequest{Counties: list, DocumentRef: fmt.Sprintf("商发〔%d〕%s号", year, p[2:4])}
		if len(list) > 2 {
			_, err := pref.ValidateRecommendation(ctx, year, p, body)
			step("prefecture %s previews a list of %d: %v", p, len(list), err)
		}
		res, err := pref.Recommend(ctx, year, p, body)
		if err != nil {
			return fmt.Errorf("recommendation of %s: %w", p, err)
		}
		step("prefecture %s files %s → %s", p, strings.Join(list, ", "), res.Status)
	}
	step("prefecture 522700 (黔南) files nothing")

	if err := d.waitPhase(ctx, admin, year, recDeadline, "recommendation deadline", domain.PhaseReviewing); err != nil {
		return err
	}
	apps, err := admin.Applications(ctx, year, apiclient.ApplicationsQuery{State: domain.StateUnderReview})
	if err != nil {
		return err
	}
	for i, a := range apps.Applications {
		base := 70 + float64((i*7)%25) // illustrative marks
		for r, name := range []string{"li", "wang"} {
			v := base + float64(r*2)
			reviewer, err := d.reviewer(name)
			if err != nil {
				return err
			}
			card := api.ScoreRequest{Criteria: domain.Scorecard{"organization": v, "infrastructure": v - 3, "logistics": v + 4, "online_sales": v + 2, "implementers": v - 5, "other": v - 1}, Comment: "illustrative"}
			if _, err := reviewer.Score(ctx, year, a.County, card); err != nil {
				return fmt.Errorf("scorecard %s: %w", a.County, err)
			}
		}
	}
	step("reviewers li and wang scored %d candidates (illustrative marks)", len(apps.Applications))
	ranking, err := admin.Rank(ctx, year)
	if err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	step("ranked: %d shortlisted, %d in reserve", len(ranking.Shortlist), len(ranking.Reserve))
	notice, err := admin.PublishNotice(ctx, year)
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	step("notice published (公示); publicity ends in %s", time.Until(notice.PublicityEndsAt).Round(time.Second))
	if len(notice.Shortlist) > 0 {
		target := notice.Shortlist[len(notice.Shortlist)-1].County
		obj, err := d.api.Object(ctx, year, target, api.ObjectionRequest{Reason: "illustrative objection: logistics centre not built"})
		if err != nil {
			return fmt.Errorf("objection: %w", err)
		}
		if _, err := admin.Resolve(ctx, year, obj.ID, api.ResolutionRequest{Decision: "upheld", Note: "illustrative"}); err != nil {
			return fmt.Errorf("resolve objection: %w", err)
		}
		step("an objection against %s was upheld: it will be removed", target)
		if promoted, err := admin.Promote(ctx, year); err == nil {
			step("reserve %s %s promoted into the vacancy, with its own publicity", promoted.County, promoted.Name)
		} else {
			step("no promotion: %v", err)
		}
	}
	// The last publicity period (the promoted county's) started just now.
	if err := d.waitPhase(ctx, admin, year, time.Now().Add(publicity), "end of publicity", domain.PhaseClosed); err != nil {
		return err
	}
	return d.summary(ctx, admin, year)
}

// freeYear returns year, or the first year from 2016 that has no campaign yet.
func (d *demo) freeYear(ctx context.Context, year int) (int, error) {
	if year != 0 {
		return year, nil
	}
	admin, err := d.as(domain.RoleAdmin, demoProvince)
	if err != nil {
		return 0, err
	}
	for y := 2016; y < 2100; y++ {
		_, err := admin.Campaign(ctx, y)
		if e, ok := apiclient.AsError(err); ok && e.Status == http.StatusNotFound {
			return y, nil
		}
		if err != nil {
			if _, refused := apiclient.AsError(err); !refused {
				return 0, fmt.Errorf("%w (is `selection run` up?)", err)
			}
			return 0, err
		}
	}
	return 0, errors.New("no free campaign year before 2100")
}

// waitPhase shows a countdown to a deadline, then waits for the server's timers to
// move the campaign to phase (with nobody acting: the point of the demo).
func (d *demo) waitPhase(ctx context.Context, admin *apiclient.Client, year int, deadline time.Time, what string, phase domain.Phase) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		v, err := admin.Campaign(ctx, year)
		if err != nil {
			return err
		}
		if v.Phase == phase {
			fmt.Printf("\r%s\r", strings.Repeat(" ", 100))
			step("%s passed: campaign is %s; %s", what, v.Phase, counts(v.Counts))
			return nil
		}
		left := time.Until(deadline).Round(time.Second)
		if left < 0 {
			left = 0
		}
		fmt.Printf("\r  phase %-10s  %s in %-6s  %s", v.Phase, what, left, counts(v.Counts))
		if time.Now().After(deadline.Add(time.Minute)) {
			return fmt.Errorf("%s: the campaign is still %s a minute after it fell due", what, v.Phase)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func counts(m map[domain.State]int) string {
	var parts []string
	for _, s := range domain.States {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, m[s]))
		}
	}
	return strings.Join(parts, ", ")
}

// summary prints the designated counties with their prefectures' names, read from the
// edition of the division codes the campaign was checked against.
func (d *demo) summary(ctx context.Context, admin *apiclient.Client, year int) error {
	v, err := admin.Campaign(ctx, year)
	if err != nil {
		return err
	}
	divs, err := domain.ReferenceFor(domain.Campaign{Year: v.Year, Province: v.Province, Edition: v.Edition})
	if err != nil {
		return err
	}
	apps, err := admin.Applications(ctx, year, apiclient.ApplicationsQuery{State: domain.StateDesignated})
	if err != nil {
		return err
	}
	designated := apps.Applications
	sort.Slice(designated, func(i, j int) bool { return *designated[i].Rank < *designated[j].Rank })
	fmt.Printf("\nDesignated demonstration counties (%d):\n\n", len(designated))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	// Names last: tabwriter counts runes, and Chinese characters are two columns wide.
	fmt.Fprintln(w, "rank\tcounty\ttotal\tname (prefecture)")
	for _, a := range designated {
		p, _ := divs.Get(a.Prefecture)
		fmt.Fprintf(w, "%d\t%s\t%.2f\t%s（%s）\n", *a.Rank, a.County, *a.Total, a.Name, p.Name)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(designated) == 0 {
		return errors.New("no county was designated")
	}
	return nil
}
