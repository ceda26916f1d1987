package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// The demo's illustrative data: the notice names no applicants, scores or exclusion
// list, so these are made up and labelled as such wherever they are printed.
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
	d := &demo{base: strings.TrimRight(*base, "/") + api.BasePath, secret: []byte(secret), http: &http.Client{Timeout: 60 * time.Second}, scale: scale}
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
	base   string
	secret []byte
	http   *http.Client
	scale  float64 // real time per campaign time
	tokens map[string]string
}

// real converts a span of the 2016 calendar to demo time.
func (d *demo) real(campaign time.Duration) time.Duration {
	return time.Duration(float64(campaign) * d.scale).Round(time.Second)
}

// apiError is the error body of API.md.
type apiError struct {
	Status int
	Body   struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Rule    string `json:"rule"`
		} `json:"error"`
	}
}

func (e *apiError) Error() string {
	rule := ""
	if e.Body.Error.Rule != "" {
		rule = " [" + e.Body.Error.Rule + "]"
	}
	return fmt.Sprintf("HTTP %d %s%s: %s", e.Status, e.Body.Error.Code, rule, e.Body.Error.Message)
}

func (d *demo) token(role domain.Role, region string) (string, error) {
	key := string(role) + region
	if t, ok := d.tokens[key]; ok {
		return t, nil
	}
	t, err := api.MintToken(d.secret, role, region, "demo-"+string(role)+"-"+region, 2*time.Hour)
	if err != nil {
		return "", err
	}
	if d.tokens == nil {
		d.tokens = map[string]string{}
	}
	d.tokens[key] = t
	return t, nil
}

// call sends one request as role/region ("" role = public) and decodes the answer.
func (d *demo) call(ctx context.Context, role domain.Role, region, method, path string, body, out any) error {
	tok := ""
	if role != "" {
		var err error
		if tok, err = d.token(role, region); err != nil {
			return err
		}
	}
	return d.do(ctx, tok, method, path, body, out)
}

// do sends one request with a bearer token ("" = none) and decodes the answer.
func (d *demo) do(ctx context.Context, tok, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is `selection run` up?)", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		e := &apiError{Status: resp.StatusCode}
		_ = json.Unmarshal(b, &e.Body)
		return e
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (d *demo) play(ctx context.Context, year int) error {
	year, err := d.freeYear(ctx, year)
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

	cfg := map[string]any{
		"year": year, "province": "520000", "quota": 12, "prefecture_cap": 2,
		"recommendation_deadline": recDeadline.In(domain.Shanghai).Format(time.RFC3339),
		"notice_deadline":         noticeDeadline.In(domain.Shanghai).Format(time.RFC3339),
		"publicity_period":        publicity.String(), "excluded": demoExcluded, "national_scores": demoNational,
	}
	if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodPost, "/campaigns", cfg, nil); err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	step("campaign %d opened: quota 12, at most 2 per prefecture; recommendation deadline in %s", year, time.Until(recDeadline).Round(time.Second))

	y := fmt.Sprintf("/campaigns/%d", year)
	var applicants []string
	for _, p := range domain.SortedCodes(demoFilings) {
		applicants = append(applicants, demoFilings[p]...)
	}
	applicants = append(append(applicants, demoSelfApplied...), demoUnpicked...)
	sort.Strings(applicants)
	complete := map[string]any{}
	for _, it := range domain.Checklist {
		if it.Required {
			complete[it.Number] = map[string]int{"copies": domain.RequiredCopies}
		}
	}
	for _, c := range applicants {
		if err := d.call(ctx, domain.RoleCounty, c, http.MethodPost, y+"/applications", map[string]string{"county": c}, nil); err != nil {
			return fmt.Errorf("register %s: %w", c, err)
		}
		if _, exempt := demoNational[c]; !exempt {
			if err := d.call(ctx, domain.RoleCounty, c, http.MethodPut, y+"/applications/"+c+"/materials", map[string]any{"items": complete}, nil); err != nil {
				return fmt.Errorf("materials %s: %w", c, err)
			}
		}
		if err := d.call(ctx, domain.RoleCounty, c, http.MethodPost, y+"/applications/"+c+"/submit", map[string]any{}, nil); err != nil {
			return fmt.Errorf("submit %s: %w", c, err)
		}
	}
	step("%d counties registered, delivered their materials (一式三份) and submitted", len(applicants))
	err = d.call(ctx, domain.RoleCounty, "520123", http.MethodPost, y+"/applications", map[string]string{"county": "520123"}, nil)
	step("修文县 520123 tries to apply: %v", err)

	for _, c := range demoSelfApplied {
		if err := d.call(ctx, domain.RoleCounty, c, http.MethodPost, y+"/applications/"+c+"/self-apply", map[string]string{"document_ref": "自行申报"}, nil); err != nil {
			return fmt.Errorf("self-apply %s: %w", c, err)
		}
	}
	step("directly administered 仁怀市 and 威宁县 applied on their own (R4)")
	for _, p := range domain.SortedCodes(demoFilings) {
		list := demoFilings[p]
		body := map[string]any{"counties": list, "document_ref": fmt.Sprintf("商发〔%d〕%s号", year, p[2:4])}
		if len(list) > 2 {
			err := d.call(ctx, domain.RolePrefecture, p, http.MethodPost, y+"/prefectures/"+p+"/recommendation?validate_only=true", body, nil)
			step("prefecture %s previews a list of %d: %v", p, len(list), err)
		}
		var res struct {
			Status string `json:"status"`
		}
		if err := d.call(ctx, domain.RolePrefecture, p, http.MethodPost, y+"/prefectures/"+p+"/recommendation", body, &res); err != nil {
			return fmt.Errorf("recommendation of %s: %w", p, err)
		}
		step("prefecture %s files %s → %s", p, strings.Join(list, ", "), res.Status)
	}
	step("prefecture 522700 (黔南) files nothing")

	if err := d.waitPhase(ctx, y, recDeadline, "recommendation deadline", "reviewing"); err != nil {
		return err
	}
	var apps struct {
		Applications []readmodel.Application `json:"applications"`
	}
	if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodGet, y+"/applications?state=under_review", nil, &apps); err != nil {
		return err
	}
	for i, a := range apps.Applications {
		base := 70 + float64((i*7)%25) // illustrative marks
		for r, reviewer := range []string{"li", "wang"} {
			v := base + float64(r*2)
			card := map[string]any{"criteria": map[string]float64{"organization": v, "infrastructure": v - 3, "logistics": v + 4, "online_sales": v + 2, "implementers": v - 5, "other": v - 1}, "comment": "illustrative"}
			if err := d.callAs(ctx, reviewer, y+"/applications/"+a.County+"/scorecards", card); err != nil {
				return fmt.Errorf("scorecard %s: %w", a.County, err)
			}
		}
	}
	step("reviewers li and wang scored %d candidates (illustrative marks)", len(apps.Applications))
	var ranking domain.Ranking
	if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodPost, y+"/ranking", map[string]any{}, &ranking); err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	step("ranked: %d shortlisted, %d in reserve", len(ranking.Shortlist), len(ranking.Reserve))
	var notice readmodel.Notice
	if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodPost, y+"/notice", map[string]any{}, &notice); err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	step("notice published (公示); publicity ends in %s", time.Until(notice.PublicityEndsAt).Round(time.Second))
	if len(notice.Shortlist) > 0 {
		target := notice.Shortlist[len(notice.Shortlist)-1].County
		var obj struct {
			ID string `json:"id"`
		}
		if err := d.call(ctx, "", "", http.MethodPost, y+"/applications/"+target+"/objections", map[string]string{"reason": "illustrative objection: logistics centre not built"}, &obj); err != nil {
			return fmt.Errorf("objection: %w", err)
		}
		if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodPost, y+"/objections/"+obj.ID+"/resolution", map[string]string{"decision": "upheld", "note": "illustrative"}, nil); err != nil {
			return fmt.Errorf("resolve objection: %w", err)
		}
		step("an objection against %s was upheld: it will be removed", target)
		var promoted readmodel.Application
		if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodPost, y+"/reserve/promote", map[string]any{}, &promoted); err == nil {
			step("reserve %s %s promoted into the vacancy, with its own publicity", promoted.County, promoted.Name)
		} else {
			step("no promotion: %v", err)
		}
	}
	// The last publicity period (the promoted county's) started just now.
	if err := d.waitPhase(ctx, y, time.Now().Add(publicity), "end of publicity", "closed"); err != nil {
		return err
	}
	return d.summary(ctx, y)
}

// callAs posts as a named reviewer: each reviewer's card is their own (R8).
func (d *demo) callAs(ctx context.Context, reviewer, path string, body any) error {
	t, err := api.MintToken(d.secret, domain.RoleReviewer, "520000", reviewer, time.Hour)
	if err != nil {
		return err
	}
	return d.do(ctx, t, http.MethodPost, path, body, nil)
}

// freeYear returns year, or the first year from 2016 that has no campaign yet.
func (d *demo) freeYear(ctx context.Context, year int) (int, error) {
	if year != 0 {
		return year, nil
	}
	for y := 2016; y < 2100; y++ {
		err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodGet, fmt.Sprintf("/campaigns/%d", y), nil, nil)
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return y, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return 0, errors.New("no free campaign year before 2100")
}

// waitPhase shows a countdown to a deadline, then waits for the server's timers to
// move the campaign to phase (with nobody acting: the point of the demo).
func (d *demo) waitPhase(ctx context.Context, y string, deadline time.Time, what, phase string) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		var v readmodel.CampaignView
		if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodGet, y, nil, &v); err != nil {
			return err
		}
		if string(v.Phase) == phase {
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

func (d *demo) summary(ctx context.Context, y string) error {
	var apps struct {
		Applications []readmodel.Application `json:"applications"`
	}
	if err := d.call(ctx, domain.RoleAdmin, "520000", http.MethodGet, y+"/applications?state=designated", nil, &apps); err != nil {
		return err
	}
	sort.Slice(apps.Applications, func(i, j int) bool { return *apps.Applications[i].Rank < *apps.Applications[j].Rank })
	fmt.Printf("\nDesignated demonstration counties (%d):\n\n", len(apps.Applications))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	// Names last: tabwriter counts runes, and Chinese characters are two columns wide.
	fmt.Fprintln(w, "rank\tcounty\ttotal\tname (prefecture)")
	divs := domain.Guizhou2016()
	for _, a := range apps.Applications {
		p, _ := divs.Get(a.Prefecture)
		fmt.Fprintf(w, "%d\t%s\t%.2f\t%s（%s）\n", *a.Rank, a.County, *a.Total, a.Name, p.Name)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(apps.Applications) == 0 {
		return errors.New("no county was designated")
	}
	return nil
}
