package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/console"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/internal/testtemporal"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/worker"
)

// secret signs the tokens of the browser test.
var secret = []byte("console-browser-test-secret")

// recommendationWindow is how far the campaign's recommendation deadline lies after
// the administrator creates it in the browser: long enough for every pre-deadline step
// of the test (registration, materials, filings) on a slow machine, short enough that
// the wait for the deadline to fire on its own (R5) keeps the test near two minutes.
const recommendationWindow = 30 * time.Second

// TestConsoleInBrowser drives headless Chromium through the console of `selection run`
// — in-process Temporal, real PostgreSQL, the worker, the API and the console on one
// 127.0.0.1 server — as every role in turn: the administrator opens the 2016 campaign,
// a county registers, fails to submit without materials (the R6 banner), delivers them
// and submits, and watches its timeline update without a reload when its prefecture
// recommends it; another prefecture previews an over-cap list (the R3 warning) and files
// a valid one; the language switches; the deadline fires by itself; a reviewer scores;
// the administrator ranks and publishes; the public reads the notice and objects without
// signing in; the administrator upholds the objection and promotes the reserve. Every
// page is saved as a full-page PNG under test-output/screenshots/.
func TestConsoleInBrowser(t *testing.T) {
	started := time.Now()
	chromium := ensureChromium(t)
	shots := screenshotDir(t)

	// selection run's wiring, in-process.
	ts := testtemporal.New(t)
	tc := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, storetest.NewDatabase(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	w := worker.New(tc, &activities.Activities{Store: st}, sdkworker.Options{})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(w.Stop)
	// Warnings and errors of the API and the console go to the test log, so a failing
	// step shows the server's side of it.
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e := api.New(api.Config{JWTSecret: secret, Logger: log, Province: "520000"}, tc, st)
	if err := console.Mount(e, console.Config{JWTSecret: secret, Dev: true, Logger: log, Province: "520000"}); err != nil {
		t.Fatalf("mount console: %v", err)
	}
	srv := httptest.NewServer(e) // 127.0.0.1 only
	t.Cleanup(srv.Close)
	t.Logf("server %s up after %s", srv.URL, time.Since(started).Round(time.Millisecond))

	b := newBrowser(t, chromium, srv.URL, shots)
	// The API calls outlive the 30 seconds the setup had.
	actx := t.Context()
	a := &officials{t: t, ctx: actx, api: apiclient.New(srv.URL, nil)}
	admin := a.as(domain.RoleAdmin, "520000", "admin-zhang")
	county := func(code string) *apiclient.Client { return a.as(domain.RoleCounty, code, "official-"+code) }
	const year = 2016
	y := fmt.Sprintf("/campaigns/%d", year)

	// 1. The public home page and the sign-in page, in Chinese by default.
	b.open("/")
	b.expectText("main", "登录")
	b.shot("home-public", "home page before signing in (zh)")
	b.open("/signin")
	b.shot("signin", "sign-in page: token form and the Dev role/region picker")

	// 2. The administrator opens the campaign from the admin page's create form (R1).
	b.signIn(domain.RoleAdmin, "520000", "admin-zhang")
	b.open(y + "/admin")
	b.expectText("#create-campaign", "创建评选")
	recDeadline := time.Now().Add(recommendationWindow)
	b.set(`#create-form [name=quota]`, "3")
	b.set(`#create-form [name=recommendation_deadline]`, local(recDeadline))
	b.set(`#create-form [name=notice_deadline]`, local(time.Now().Add(15*time.Minute)))
	b.set(`#create-form [name=publicity_period]`, "10m")
	b.set(`#create-form [name=excluded]`, "520123")
	b.set(`#create-form [name=national_scores]`, "520328=86.5")
	b.set(`#create-form [name=contact]`, "省商务厅电子商务和信息化处（0851-00000000）")
	b.submit("#create-submit")
	b.expectAttr("#phase", "data-phase", "open")
	b.expectText("#flash", "2016")
	// Left empty, the department is the province's; the contact is the form's (R1).
	b.expectText("#signature", "贵州省商务厅（省商务厅电子商务和信息化处（0851-00000000））")
	b.shot("admin-campaign-created", "admin page right after creating the 2016 campaign")

	// The administrator corrects the running campaign with a reason (R13): the notice
	// deadline moves a minute later, and the timeline shows the old and new value.
	b.set("#amend-reason", "公示准备时间延长")
	b.set("#amend-notice", local(time.Now().Add(16*time.Minute)))
	b.submit("#amend")
	b.expectText("#flash", "更正已生效")
	b.expectText("#campaign-timeline", "公示准备时间延长")
	b.shot("admin-amended", "admin page after a correction of the notice deadline (R13)")

	// A second, empty campaign whose notice deadline passes within seconds, so the
	// board can show an overdue campaign (R9) later on.
	soon := time.Now()
	a.must(admin.CreateCampaign(actx, api.CreateCampaignRequest{
		Year: 2017, Province: "520000", Quota: 12, PrefectureCap: 2, PublicityPeriod: "168h",
		RecommendationDeadline: soon.Add(3 * time.Second).Format(time.RFC3339Nano),
		NoticeDeadline:         soon.Add(6 * time.Second).Format(time.RFC3339Nano),
	}))

	// Other counties apply through the API, as their own officials would.
	for _, c := range []string{"520322", "520323", "520328", "520382"} {
		a.must(county(c).RegisterApplication(actx, year, api.RegisterRequest{County: c}))
		if c != "520328" { // 湄潭 has a national score: exempt from materials (R6)
			a.must(county(c).PutMaterials(actx, year, c, apitest.FullMaterials()))
		}
		a.must(county(c).Submit(actx, year, c))
	}
	a.must(county("520382").SelfApply(actx, year, "520382", api.SelfApplyRequest{DocumentRef: "仁府呈〔2016〕5号"}))

	// 3. A county official registers, is refused without materials, delivers, submits.
	b.signIn(domain.RoleCounty, "520402", "xixiu-official")
	b.open(y + "/applications/520402")
	b.expectPresent("#not-registered")
	b.submit("#register")
	b.expectAttr("#live .live-state .badge", "data-state", "registered")
	b.submit("#submit-app")
	b.expectAttr("#api-error", "data-code", "materials_incomplete")
	b.expectAttr("#api-error", "data-rule", "R6")
	b.shot("county-error-banner", "county submits too early: the API's materials_incomplete refusal as a banner with rule R6")
	for _, it := range domain.Checklist {
		if it.Required {
			b.set(fmt.Sprintf(`#materials-form [name=copies_%s]`, it.Number), "3")
		}
	}
	b.set(`#materials-form [name=copies_8]`, "2")
	b.submit("#save-materials")
	b.expectText("#flash", "材料清单已保存")
	b.submit("#submit-app")
	b.expectAttr("#live .live-state .badge", "data-state", "submitted")
	b.shot("county-submitted", "county application submitted: checklist complete, timeline so far")

	// 4. The timeline follows an action taken elsewhere without a reload: Anshun's
	// prefecture official recommends the county while its page stays open.
	b.eval(`window.__samePage = "yes"; true`)
	a.must(a.as(domain.RolePrefecture, "520400", "anshun-official").Recommend(actx, year, "520400",
		api.RecommendRequest{Counties: []string{"520402"}, DocumentRef: "安商发〔2016〕8号"}))
	b.waitJS(`document.querySelector('#timeline tr[data-action="recommend"]') !== null`, 10*time.Second, "the recommendation on the live timeline")
	b.expectAttr("#live .live-state .badge", "data-state", "recommended")
	if same := b.evalString(`window.__samePage || "reloaded"`); same != "yes" {
		t.Fatalf("the page was reloaded (marker %q); the timeline must update in place", same)
	}
	b.shot("county-timeline-live", "county page after the prefecture's recommendation appeared in place (no reload)")
	if leaked := b.evalString(`document.cookie`); strings.Contains(leaked, "selection_session") {
		t.Fatalf("the session cookie is readable from script: %q", leaked)
	}

	// 5. Zunyi previews an over-cap list (R3 warning, nothing filed), then files two.
	b.signIn(domain.RolePrefecture, "520300", "zunyi-official")
	b.open(y + "/prefectures/520300")
	b.set(`[name=order_520328]`, "1")
	b.set(`[name=order_520322]`, "2")
	b.set(`[name=order_520323]`, "3")
	b.set(`#recommend-form [name=document_ref]`, "遵商发〔2016〕12号")
	b.submit("#validate")
	b.expectPresent("#overcap-warning")
	b.expectAttr("#api-error", "data-code", "over_cap")
	b.expectAttr("#api-error", "data-rule", "R3")
	b.expectValue(`[name=order_520323]`, "3") // the chosen order survives the preview
	b.shot("prefecture-overcap-warning", "prefecture validate-only preview of three counties: over_cap warning before anything forfeits")
	if s := a.campaignView(admin, year).prefecture("520300").Status; s != domain.PrefectureOpen {
		t.Fatalf("a validate-only preview changed Zunyi's status to %s", s)
	}
	b.set(`[name=order_520323]`, "")
	b.submit("#file")
	b.expectText("#flash", "推荐名单已正式报送")
	b.expectText("#filed-list", "湄潭县")
	b.shot("prefecture-filed", "prefecture after filing its ordered list of two")

	// 6. The language switch, remembered across pages.
	b.submit("#lang-en")
	b.expectAttr("html", "lang", "en")
	b.expectText("h1", "recommendation")
	b.shot("prefecture-en", "the prefecture page in English")
	b.open(y)
	b.expectText("nav.tabs", "Province board")
	b.shot("board-en", "province board in English")
	b.submit("#lang-zh")
	b.expectAttr("html", "lang", "zh-CN")
	b.expectText("#pref-520300", "已推荐")
	first := b.text(".stat .countdown")
	time.Sleep(1100 * time.Millisecond)
	if again := b.text(".stat .countdown"); again == first && first != "已截止" {
		t.Fatalf("the countdown does not tick: %q then %q", first, again)
	}
	b.shot("board", "province board: phase, live countdown, counts by state, the 9 prefectures with county badges")
	a.eventually(15*time.Second, "campaign 2017 overdue after its notice deadline", func() bool { return a.campaignView(admin, 2017).Overdue })
	b.open("/campaigns/2017")
	b.expectPresent("#overdue")
	b.expectText("#overdue", "R9")
	b.shot("board-overdue", "board of a campaign whose notice deadline passed unpublished: overdue in red (R9)")

	// 7. The notice is not out yet; the public sees so without signing in.
	b.submit("#signout")
	b.open("/notices/2016")
	b.expectPresent("#notice-missing")

	// 8. The recommendation deadline fires with nobody online (R5).
	t.Logf("pre-deadline steps done %s before the deadline", time.Until(recDeadline).Round(time.Second))
	a.eventually(45*time.Second, "phase reviewing after the recommendation deadline", func() bool {
		return a.campaignView(admin, year).Phase == domain.PhaseReviewing
	})

	// 9. A reviewer scores in the browser; a colleague's cards come through the API (R8).
	reviewer := a.as(domain.RoleReviewer, "520000", "reviewer-wang")
	marks := map[string]float64{"520328": 90, "520322": 80, "520382": 70, "520402": 60}
	for c, m := range marks {
		a.must(reviewer.Score(actx, year, c, api.ScoreRequest{Criteria: apitest.Scorecard(m), Comment: "实地核查"}))
	}
	b.signIn(domain.RoleReviewer, "520000", "reviewer-li")
	b.open(y + "/review")
	for _, k := range domain.Criteria {
		b.set(fmt.Sprintf(`#score-520402 [name=c_%s]`, k), "75")
	}
	b.set(`#score-520402 [name=comment]`, "物流体系完善")
	b.submit(`#score-520402 button[type=submit]`)
	b.expectText("#flash", "西秀区")
	b.expectText("#cand-520402", "已评分")
	b.shot("review", "reviewer page: candidates in review with the six-criteria scorecard forms")

	// 10. The administrator ranks and publishes (R7, R9).
	b.signIn(domain.RoleAdmin, "520000", "admin-zhang")
	b.expectPresent("#campaigns")
	b.expectText("#campaigns", "逾期")
	b.shot("home-admin", "administrator's home page: campaigns with phase, overdue flag and next deadline; create form")
	b.open(y + "/admin")
	b.submit("#run-ranking")
	b.expectText("#flash", "已完成排序")
	b.expectPresent("#ranking tbody.group-reserve")
	b.shot("admin-ranked", "admin page after the ranking: shortlist and reserve with score breakdowns")
	b.submit("#publish-notice")
	b.expectAttr("#phase", "data-phase", "publicity")

	// 11. The public reads the notice and objects, without signing in (R10).
	b.submit("#signout")
	b.open("/notices/2016")
	b.expectPresent("#shortlist")
	if n := b.evalInt(`document.querySelectorAll('#shortlist tbody tr').length`); n != 3 {
		t.Fatalf("the notice lists %d counties, want the quota of 3", n)
	}
	b.shot("notice-public", "public notice: shortlist with breakdowns, publicity end, objection form")
	target := b.evalString(`document.querySelector('#shortlist tbody tr:last-child').dataset.county`)
	b.set("#objection-county", target)
	b.set("#objection-reason", "申报材料中的网络销售数据与实际不符")
	b.set(`#objection-form [name=contact]`, "138-0000-0000")
	b.submit("#objection-submit")
	b.expectText("#flash", "异议已受理")
	b.shot("notice-objection-filed", "public objection accepted, with its ID")

	// 12. The administrator upholds it and promotes the reserve into the vacancy (R10).
	b.signIn(domain.RoleAdmin, "520000", "admin-zhang")
	b.open(y + "/admin")
	b.expectPresent(`#objections tr[data-status="open"]`)
	b.submit(`#objections tr[data-status="open"] button[value="upheld"]`)
	b.expectPresent(`#objections tr[data-status="upheld"]`)
	b.submit("#promote-reserve")
	b.expectText("#flash", "递补")
	b.expectText("#ranking", "递补")
	b.expectText("#ranking", "异议成立")
	b.shot("admin-objection-promoted", "admin page: objection upheld, reserve promoted, campaign timeline")
	b.open(y + "/applications/" + target)
	b.expectPresent(`#timeline tr[data-action="objection_upheld"]`)
	b.expectPresent("#rank")
	b.shot("application-ranked", "application page: scorecards, rank, breakdown and full timeline")

	// The console shadows none of the API's own routes.
	public := a.api
	for path, get := range map[string]func() error{
		"/healthz":             func() error { return public.Health(actx) },
		"/metrics":             func() error { _, err := public.Metrics(actx); return err },
		"/api/v1/openapi.json": func() error { _, err := public.OpenAPI(actx); return err },
	} {
		if err := get(); err != nil {
			t.Errorf("GET %s after Mount: %v", path, err)
		}
	}
	if _, err := public.Campaign(actx, year); err == nil || !isStatus(err, http.StatusUnauthorized) {
		t.Errorf("GET /api/v1/campaigns/%d without a token after Mount: %v, want 401", year, err)
	}
	t.Logf("browser test took %s", time.Since(started).Round(time.Millisecond))
}

// TestSignInNextStaysOnSiteInBrowser asks Chromium's own URL parser about every
// candidate of console.NextCandidates: the sign-in page carries localPath's verdict in
// its form, new URL(next, location.href) must then lie on the page's origin, and signing
// in with a next the console kept must land on that origin too (the browser resolving
// the redirect's Location itself).
func TestSignInNextStaysOnSiteInBrowser(t *testing.T) {
	chromium := ensureChromium(t)
	quiet := slog.New(slog.DiscardHandler)
	e := api.New(api.Config{JWTSecret: secret, Logger: quiet, Province: "520000"}, nil, nil)
	if err := console.Mount(e, console.Config{JWTSecret: secret, Dev: true, Logger: quiet, Province: "520000"}); err != nil {
		t.Fatalf("mount console: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	b := newBrowser(t, chromium, srv.URL, t.TempDir())

	for _, next := range slices.Sorted(maps.Keys(console.NextCandidates)) {
		kept := console.NextCandidates[next]
		b.open("/signin?next=" + url.QueryEscape(next))
		var got struct{ Next, Resolved, Page string }
		raw := b.evalString(`JSON.stringify((function(){var n=document.querySelector('#signin-dev [name=next]').value;
			return {Next: n, Resolved: new URL(n, location.href).origin, Page: location.origin};})())`)
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("next %q: %v in %s", next, err, raw)
		}
		if want := map[bool]string{true: next, false: "/"}[kept]; got.Next != want {
			t.Errorf("next %q: the form carries %q, want %q", next, got.Next, want)
		}
		if got.Resolved != got.Page {
			t.Errorf("next %q (form %q) resolves to origin %s, not the page's %s", next, got.Next, got.Resolved, got.Page)
		}
		if !kept {
			continue
		}
		b.set("#role", string(domain.RoleAdmin))
		b.set("#region", "520000")
		if err := b.step(func(ctx context.Context) error {
			_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#signin-dev button[type=submit]"), chromedp.NodeVisible))
			return err
		}); err != nil {
			t.Fatalf("next %q: sign in: %v", next, err)
		}
		if at := b.evalString(`location.origin`); at != got.Page {
			t.Errorf("next %q: signing in landed on origin %s, not %s", next, at, got.Page)
		}
	}
}

// ensureChromium runs scripts/ensure-chromium.sh (which installs Debian's chromium when
// it is missing) and returns the browser to drive. No Chromium fails the test: a
// skipped browser test would hide that the console was never looked at.
func ensureChromium(t *testing.T) string {
	t.Helper()
	script := filepath.Join(repoRoot(t), "scripts", "ensure-chromium.sh")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", script).CombinedOutput()
	if len(out) > 0 {
		t.Logf("ensure-chromium.sh: %s", strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.Fatalf("scripts/ensure-chromium.sh failed (%v); the browser test needs Chromium:\n%s", err, out)
	}
	candidates := []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatalf("Chromium not found: /usr/bin/chromium is missing after scripts/ensure-chromium.sh; install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH")
	return ""
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// screenshotDir is test-output/screenshots at the repository root (git-ignored),
// emptied of the previous run's PNGs so the folder shows this run only.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "test-output", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create %s: %v", dir, err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	return dir
}

// local formats a time for a datetime-local field, in Beijing time as the form says,
// the way the field keeps it: Chromium drops the seconds of a value on a whole minute
// ("…T03:09:00" reads back "…T03:09"), and set checks the value it reads back.
func local(t time.Time) string {
	t = t.In(domain.Shanghai)
	if t.Second() == 0 {
		return t.Format("2006-01-02T15:04")
	}
	return t.Format("2006-01-02T15:04:05")
}

// ---------------------------------------------------------------- the browser

// browser is one headless Chromium with one tab, driven step by step; every helper
// fails the test with the page's address and what it waited for.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	n     int // screenshots taken, for their file names' order
}

// stepTimeout bounds each browser step; pageTimeout the whole browser session.
const (
	stepTimeout = 20 * time.Second
	pageTimeout = 150 * time.Second
)

func newBrowser(t *testing.T, chromium, base, shots string) *browser {
	t.Helper()
	// Flags for a machine without internet: without them Chromium waits on the network
	// (component updates, sync, QUIC probes) and hangs. The resolver rule makes any
	// host but 127.0.0.1 and localhost unresolvable, so the browser can reach nothing else.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	root, cancelRoot := context.WithTimeout(context.Background(), pageTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(func(string, ...any) {}))
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelRoot() })
	b := &browser{t: t, ctx: ctx, base: base, shots: shots}
	// The first action starts the browser and binds it to the context it runs with, so
	// it runs with the session's context, not a step's shorter one.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium %s: %v", chromium, err)
	}
	return b
}

// step runs one browser action under its own deadline.
func (b *browser) step(f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return f(ctx)
}

func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("%s (page %s)", fmt.Sprintf(format, args...), loc)
}

// open loads a console page and checks it answered without a server error.
func (b *browser) open(path string) {
	b.t.Helper()
	var status int64
	err := b.step(func(ctx context.Context) error {
		res, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
		if err == nil && res != nil {
			status = res.Status
		}
		return err
	})
	if err != nil {
		b.fail("open %s: %v", path, err)
	}
	if status >= 500 {
		b.fail("open %s: HTTP %d", path, status)
	}
	b.noMissingText()
}

// submit clicks a button or link that navigates (a form's submit button, a language
// link) and waits for the next page to load.
func (b *browser) submit(sel string) {
	b.t.Helper()
	var status int64
	err := b.step(func(ctx context.Context) error {
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		if err == nil && res != nil {
			status = res.Status
		}
		return err
	})
	if err != nil {
		b.fail("click %s: %v", sel, err)
	}
	if status >= 500 {
		b.fail("click %s: HTTP %d", sel, status)
	}
	b.noMissingText()
}

// set gives a field a value the way a user's choice would, change event included (the
// sign-in picker listens to it).
func (b *browser) set(sel, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%s); if(!e) return false; e.value=%s; e.dispatchEvent(new Event('input',{bubbles:true})); e.dispatchEvent(new Event('change',{bubbles:true})); return e.value===%s;})()`,
		jsString(sel), jsString(value), jsString(value))
	var ok bool
	err := b.step(func(ctx context.Context) error {
		var err error
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		return err
	})
	if err != nil || !ok {
		b.fail("set %s to %q: ok=%v err=%v", sel, value, ok, err)
	}
}

func (b *browser) eval(js string) {
	b.t.Helper()
	if err := b.step(func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](js)) }); err != nil {
		b.fail("eval %s: %v", js, err)
	}
}

func (b *browser) evalString(js string) string {
	b.t.Helper()
	var s string
	if err := b.step(func(ctx context.Context) error {
		var err error
		s, err = chromedp.Run(ctx, chromedp.Evaluate[string](js))
		return err
	}); err != nil {
		b.fail("eval %s: %v", js, err)
	}
	return s
}

func (b *browser) evalInt(js string) int {
	b.t.Helper()
	var n int
	if err := b.step(func(ctx context.Context) error {
		var err error
		n, err = chromedp.Run(ctx, chromedp.Evaluate[int](js))
		return err
	}); err != nil {
		b.fail("eval %s: %v", js, err)
	}
	return n
}

// waitJS polls a predicate in the page, without navigating.
func (b *browser) waitJS(predicate string, within time.Duration, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate, chromedp.WithPollingTimeout(within), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		b.fail("waiting for %s: %v", what, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return b.evalString(fmt.Sprintf(`(function(){var e=document.querySelector(%s); return e ? e.innerText : "";})()`, jsString(sel)))
}

func (b *browser) expectPresent(sel string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)), 5*time.Second, sel)
}

func (b *browser) expectText(sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%s); return !!e && e.innerText.indexOf(%s) >= 0;})()`, jsString(sel), jsString(want))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		b.fail("%s should contain %q; it reads %q", sel, want, b.text(sel))
	}
}

func (b *browser) expectAttr(sel, attr, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%s); return !!e && e.getAttribute(%s) === %s;})()`, jsString(sel), jsString(attr), jsString(want))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		got := b.evalString(fmt.Sprintf(`(function(){var e=document.querySelector(%s); return e ? String(e.getAttribute(%s)) : "(no element)";})()`, jsString(sel), jsString(attr)))
		banner := b.text("#api-error")
		b.fail("%s[%s] should be %q, got %q (banner: %q)", sel, attr, want, got, banner)
	}
}

func (b *browser) expectValue(sel, want string) {
	b.t.Helper()
	if got := b.evalString(fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel))); got != want {
		b.fail("%s has value %q, want %q", sel, got, want)
	}
}

// noMissingText fails on a translation key without text (the i18n table's marker).
func (b *browser) noMissingText() {
	b.t.Helper()
	if s := b.evalString(`document.documentElement.outerHTML`); strings.Contains(s, "⟦") {
		i := strings.Index(s, "⟦")
		b.fail("untranslated text on the page: %s", s[i:min(len(s), i+60)])
	}
}

// shot saves a full-page PNG, numbered in the order taken, and logs where.
func (b *browser) shot(name, what string) {
	b.t.Helper()
	var png []byte
	if err := b.step(func(ctx context.Context) error {
		var err error
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	}); err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("write %s: %v", path, err)
	}
	b.t.Logf("screenshot %s — %s", path, what)
}

// signIn uses the Dev picker of the sign-in page, as a developer would.
func (b *browser) signIn(role domain.Role, region, sub string) {
	b.t.Helper()
	b.open("/signin")
	b.set("#role", string(role))
	b.set("#region", region)
	b.set("#sub", sub)
	b.submit("#signin-dev button[type=submit]")
	b.expectText("#whoami", sub)
}

// testWriter sends server log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// ---------------------------------------------------------------- the API, directly

// officials plays the other officials through the typed client of the HTTP API, over
// the same server's socket.
type officials struct {
	t   *testing.T
	ctx context.Context
	api *apiclient.Client
}

// as is the client of one official, with a token minted for them.
func (a *officials) as(role domain.Role, region, sub string) *apiclient.Client {
	a.t.Helper()
	tok, err := api.MintToken(secret, role, region, sub, time.Hour)
	if err != nil {
		a.t.Fatalf("mint token: %v", err)
	}
	return a.api.WithToken(tok)
}

// must fails the test on an error of a call whose answer the test does not read.
func (a *officials) must(_ any, err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
}

func isStatus(err error, status int) bool {
	ae, ok := apiclient.AsError(err)
	return ok && ae.Status == status
}

type campaign struct{ readmodel.CampaignView }

func (c campaign) prefecture(code string) readmodel.Prefecture {
	for _, p := range c.Prefectures {
		if p.Code == code {
			return p
		}
	}
	return readmodel.Prefecture{Code: code}
}

func (a *officials) campaignView(cl *apiclient.Client, year int) campaign {
	a.t.Helper()
	v, err := cl.Campaign(a.ctx, year)
	if err != nil {
		a.t.Fatalf("read campaign %d: %v", year, err)
	}
	return campaign{v}
}

func (a *officials) eventually(within time.Duration, what string, cond func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: not reached within %s", what, within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
