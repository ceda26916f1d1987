package console

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

var testSecret = []byte("console-unit-test-secret")

// emptyStore is a read model with no campaign at all: enough for the API to answer
// routing, authentication and "not found" without PostgreSQL or Temporal, which the
// browser test covers.
type emptyStore struct{}

func (emptyStore) Campaign(context.Context, string, int) (readmodel.CampaignView, error) {
	return readmodel.CampaignView{}, store.ErrNotFound
}
func (emptyStore) Applications(context.Context, string, int, string, string, store.PageRequest[string]) (store.Page[readmodel.Application, string], error) {
	return store.Page[readmodel.Application, string]{}, nil
}
func (emptyStore) Application(context.Context, string, int, string) (readmodel.Application, error) {
	return readmodel.Application{}, store.ErrNotFound
}
func (emptyStore) Timeline(context.Context, string, store.PageRequest[int64]) (store.Page[readmodel.Event, int64], error) {
	return store.Page[readmodel.Event, int64]{}, nil
}
func (emptyStore) Notice(context.Context, string, int) (readmodel.Notice, error) {
	return readmodel.Notice{}, store.ErrNotFound
}
func (emptyStore) Objections(context.Context, string, int, string, store.PageRequest[store.ObjectionKey]) (store.Page[readmodel.Objection, store.ObjectionKey], error) {
	return store.Page[readmodel.Objection, store.ObjectionKey]{}, nil
}
func (emptyStore) Objection(context.Context, string, int, string) (readmodel.Objection, error) {
	return readmodel.Objection{}, store.ErrNotFound
}
func (emptyStore) FileObjection(context.Context, store.ObjectionFiling) (store.FiledObjection, error) {
	return store.FiledObjection{}, store.ErrNotFound
}
func (emptyStore) NoticeVersion(context.Context, string, int, int64) (readmodel.Notice, error) {
	return readmodel.Notice{}, store.ErrNotFound
}
func (emptyStore) Designation(context.Context, string, int) (readmodel.Designation, error) {
	return readmodel.Designation{}, store.ErrNotFound
}
func (emptyStore) SetDesignationRef(context.Context, string, int, string, string, domain.Actor, time.Time) (readmodel.Designation, error) {
	return readmodel.Designation{}, store.ErrNotFound
}
func (emptyStore) Ping(context.Context) error { return nil }
func (emptyStore) ReserveIdempotencyKey(context.Context, string, string, string) (*store.IdempotentResponse, bool, error) {
	return nil, true, nil
}
func (emptyStore) CompleteIdempotencyKey(context.Context, string, string, int, []byte) error {
	return nil
}
func (emptyStore) ReleaseIdempotencyKey(context.Context, string, string) error { return nil }

// newTestServer is the API (without backends) with the console mounted.
func newTestServer(t *testing.T, dev bool) *echo.Echo {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	e := api.New(api.Config{JWTSecret: testSecret, Logger: quiet, Province: "520000"}, nil, emptyStore{})
	if err := Mount(e, Config{JWTSecret: testSecret, Dev: dev, Logger: quiet, Province: "520000"}); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	return e
}

type result struct {
	code   int
	body   string
	header http.Header
	cookie map[string]*http.Cookie
}

func serve(e *echo.Echo, method, target string, form url.Values, cookies []*http.Cookie, header map[string]string) result {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	res := result{code: w.Code, body: w.Body.String(), header: w.Header(), cookie: map[string]*http.Cookie{}}
	for _, c := range w.Result().Cookies() {
		res.cookie[c.Name] = c
	}
	return res
}

// csrfSession fetches the sign-in page and returns its form token cookie.
func csrfSession(t *testing.T, e *echo.Echo) *http.Cookie {
	t.Helper()
	res := serve(e, http.MethodGet, "/signin", nil, nil, nil)
	ck := res.cookie[csrfCookie]
	if res.code != http.StatusOK || ck == nil {
		t.Fatalf("GET /signin: %d, csrf cookie %v", res.code, ck)
	}
	if !strings.Contains(res.body, `name="_csrf" value="`+ck.Value+`"`) {
		t.Fatalf("the form does not carry the cookie's token")
	}
	return ck
}

func TestMountLeavesAPIRoutesAlone(t *testing.T) {
	e := newTestServer(t, true)
	for _, tc := range []struct {
		method, path string
		want         int
		json         bool
	}{
		{http.MethodGet, "/healthz", http.StatusOK, true},
		{http.MethodGet, "/metrics", http.StatusOK, false},
		{http.MethodGet, "/api/v1/openapi.json", http.StatusOK, true},
		{http.MethodGet, "/api/v1/campaigns/2016", http.StatusUnauthorized, true},
		{http.MethodGet, "/api/v1/no-such-route", http.StatusNotFound, true},
		// A bearer-token POST without any console cookie is the API's business: no
		// CSRF check, the API's own 401.
		{http.MethodPost, "/api/v1/campaigns", http.StatusUnauthorized, true},
		{http.MethodGet, "/api/v1/campaigns/2016/notice", http.StatusNotFound, true},
	} {
		res := serve(e, tc.method, tc.path, nil, nil, nil)
		if res.code != tc.want {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, res.code, tc.want, res.body)
		}
		if tc.json && !strings.HasPrefix(res.header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
			t.Errorf("%s %s: content type %q, want the API's JSON", tc.method, tc.path, res.header.Get(echo.HeaderContentType))
		}
	}
	for _, p := range []string{"/", "/signin", "/notices/2016", "/static/console.css", "/static/console.js"} {
		if res := serve(e, http.MethodGet, p, nil, nil, nil); res.code != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.code)
		}
	}
}

func TestMountRefusesToShadowTheAPI(t *testing.T) {
	c := &console{}
	for _, r := range c.routes() {
		for _, p := range reserved {
			if r.path == p || strings.HasPrefix(r.path, p+"/") {
				t.Errorf("console route %s is under %s", r.path, p)
			}
		}
	}
	if err := Mount(echo.New(), Config{}); err == nil {
		t.Error("Mount without a JWT secret should fail")
	}
}

func TestPagesNeedSignIn(t *testing.T) {
	e := newTestServer(t, true)
	for _, p := range []string{"/campaigns/2016", "/campaigns/2016/applications/520402", "/campaigns/2016/prefectures/520300", "/campaigns/2016/review", "/campaigns/2016/admin"} {
		res := serve(e, http.MethodGet, p, nil, nil, nil)
		if res.code != http.StatusSeeOther || res.header.Get("Location") != "/signin?next="+url.QueryEscape(p) {
			t.Errorf("GET %s signed out: %d Location %q, want the sign-in page coming back here", p, res.code, res.header.Get("Location"))
		}
	}
	res := serve(e, http.MethodGet, "/notices/2016", nil, nil, nil)
	if res.code != http.StatusOK || !strings.Contains(res.body, `id="notice-missing"`) {
		t.Errorf("the public notice page needs no sign-in: %d", res.code)
	}
}

func TestCSRFGuardsEveryConsoleForm(t *testing.T) {
	e := newTestServer(t, true)
	ck := csrfSession(t, e)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Errorf("csrf cookie flags: HttpOnly=%v SameSite=%v Path=%q", ck.HttpOnly, ck.SameSite, ck.Path)
	}
	form := func(token string) url.Values {
		return url.Values{"_csrf": {token}, "mode": {"dev"}, "role": {"admin"}, "region": {"520000"}}
	}
	cases := []struct {
		name    string
		form    url.Values
		cookies []*http.Cookie
		header  map[string]string
	}{
		{"no cookie", form(ck.Value), nil, nil},
		{"no field", url.Values{"mode": {"dev"}}, []*http.Cookie{ck}, nil},
		{"wrong field", form(strings.Repeat("0", 48)), []*http.Cookie{ck}, nil},
		{"cross-site", form(ck.Value), []*http.Cookie{ck}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, tc := range cases {
		res := serve(e, http.MethodPost, "/signin", tc.form, tc.cookies, tc.header)
		if res.code != http.StatusForbidden || !strings.Contains(res.body, `data-code="csrf"`) || res.cookie[sessionCookie] != nil {
			t.Errorf("%s: %d, want a 403 page and no session", tc.name, res.code)
		}
	}
	for _, path := range []string{"/signout", "/campaigns", "/campaigns/2016/admin/ranking", "/notices/2016/objections", "/campaigns/2016/applications/520402/submit"} {
		if res := serve(e, http.MethodPost, path, url.Values{}, []*http.Cookie{ck}, nil); res.code != http.StatusForbidden {
			t.Errorf("POST %s without a form token: %d, want 403", path, res.code)
		}
	}
	res := serve(e, http.MethodPost, "/signin", form(ck.Value), []*http.Cookie{ck}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if res.code != http.StatusSeeOther || res.cookie[sessionCookie] == nil {
		t.Fatalf("valid form: %d, session %v", res.code, res.cookie[sessionCookie])
	}
	if nc := res.cookie[csrfCookie]; nc == nil || nc.Value == ck.Value {
		t.Error("signing in should rotate the form token")
	}
}

func TestSignIn(t *testing.T) {
	e := newTestServer(t, true)
	post := func(form url.Values) result {
		ck := csrfSession(t, e)
		form.Set(csrfField, ck.Value)
		return serve(e, http.MethodPost, "/signin", form, []*http.Cookie{ck}, nil)
	}

	res := post(url.Values{"mode": {"dev"}, "role": {"prefecture"}, "region": {"520300"}, "sub": {"zunyi"}, "next": {"/campaigns/2016/prefectures/520300"}})
	session := res.cookie[sessionCookie]
	if res.code != http.StatusSeeOther || session == nil || res.header.Get("Location") != "/campaigns/2016/prefectures/520300" {
		t.Fatalf("dev sign-in: %d Location %q session %v", res.code, res.header.Get("Location"), session)
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v Path=%q", session.HttpOnly, session.SameSite, session.Path)
	}
	divs, err := domain.Current("520000")
	if err != nil {
		t.Fatal(err)
	}
	c := &console{cfg: Config{JWTSecret: testSecret, Province: "520000"}, regions: map[string]*domain.Divisions{"520000": divs}}
	u, err := c.parseToken(session.Value)
	if err != nil || u.Role != domain.RolePrefecture || u.Region != "520300" || u.Sub != "zunyi" {
		t.Fatalf("minted token: %+v, %v", u, err)
	}
	home := serve(e, http.MethodGet, "/", nil, []*http.Cookie{session}, nil)
	if !strings.Contains(home.body, "zunyi") {
		t.Error("the home page should name the signed-in user")
	}

	tok, err := api.MintToken(testSecret, domain.RoleReviewer, "520000", "li", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res := post(url.Values{"mode": {"token"}, "token": {"Bearer " + tok}}); res.code != http.StatusSeeOther || res.cookie[sessionCookie].Value != tok {
		t.Errorf("pasted token: %d", res.code)
	}
	if res := post(url.Values{"mode": {"token"}, "token": {"not-a-jwt"}}); res.code != http.StatusUnauthorized || res.cookie[sessionCookie] != nil {
		t.Errorf("garbage token: %d, want 401 and no session", res.code)
	}
	other, _ := api.MintToken([]byte("another-secret"), domain.RoleAdmin, "520000", "x", time.Hour)
	if res := post(url.Values{"mode": {"token"}, "token": {other}}); res.code != http.StatusUnauthorized {
		t.Errorf("token of another secret: %d, want 401", res.code)
	}
	if res := post(url.Values{"mode": {"dev"}, "role": {"county"}, "region": {"520300"}}); res.code != http.StatusForbidden || !strings.Contains(res.body, `data-rule="R12"`) {
		t.Errorf("county with a prefecture code: %d, want the R12 banner", res.code)
	}

	prod := newTestServer(t, false)
	ck := csrfSession(t, prod)
	if strings.Contains(serve(prod, http.MethodGet, "/signin", nil, nil, nil).body, `id="signin-dev"`) {
		t.Error("the Dev picker must not show without Dev")
	}
	res = serve(prod, http.MethodPost, "/signin", url.Values{"_csrf": {ck.Value}, "mode": {"dev"}, "role": {"admin"}, "region": {"520000"}}, []*http.Cookie{ck}, nil)
	if res.code != http.StatusForbidden || res.cookie[sessionCookie] != nil {
		t.Errorf("dev sign-in without Dev: %d, want 403", res.code)
	}
}

func TestSignOutAndExpiredSession(t *testing.T) {
	e := newTestServer(t, true)
	expired, err := api.MintToken(testSecret, domain.RoleAdmin, "520000", "old", time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // JWT times have a one-second resolution
	res := serve(e, http.MethodGet, "/campaigns/2016", nil, []*http.Cookie{{Name: sessionCookie, Value: expired}}, nil)
	if res.code != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/signin") {
		t.Errorf("expired session: %d %q, want the sign-in page", res.code, res.header.Get("Location"))
	}
	if c := res.cookie[sessionCookie]; c == nil || c.MaxAge >= 0 {
		t.Error("an expired session cookie should be cleared")
	}
	ck := csrfSession(t, e)
	res = serve(e, http.MethodPost, "/signout", url.Values{"_csrf": {ck.Value}}, []*http.Cookie{ck}, nil)
	if res.code != http.StatusSeeOther || res.cookie[sessionCookie] == nil || res.cookie[sessionCookie].MaxAge >= 0 {
		t.Errorf("sign-out: %d, want the session cookie cleared", res.code)
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newTestServer(t, true)
	if res := serve(e, http.MethodGet, "/signin", nil, nil, nil); !strings.Contains(res.body, "使用令牌登录") || !strings.Contains(res.body, `lang="zh-CN"`) {
		t.Error("the console should speak Chinese by default")
	}
	res := serve(e, http.MethodGet, "/signin?lang=en", nil, nil, nil)
	lang := res.cookie[langCookie]
	if !strings.Contains(res.body, "Sign in with a token") || lang == nil || lang.Value != "en" {
		t.Fatalf("?lang=en: English page and a remembered choice expected")
	}
	if res := serve(e, http.MethodGet, "/notices/2016", nil, []*http.Cookie{lang}, nil); !strings.Contains(res.body, "has not been published yet") {
		t.Error("the language cookie should carry English to the next page")
	}
	if res := serve(e, http.MethodGet, "/notices/2016?lang=xx", nil, []*http.Cookie{lang}, nil); !strings.Contains(res.body, "has not been published yet") {
		t.Error("an unknown ?lang= should keep the remembered language")
	}
}

// TestMessagesComplete checks the i18n table: every key the templates and handlers use
// has a text in both languages with the same format verbs, and every machine word of
// the API (states, phases, statuses, roles, criteria, error codes) has a name.
func TestMessagesComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for key, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%s: empty text %q", key, m)
		}
		if a, b := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%s: format verbs differ between zh %v and en %v", key, a, b)
		}
	}
	used := regexp.MustCompile(`\bt[f]? "([a-z_0-9.]+)"`)
	files, err := templateFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses %q, which has no text", f, m[1])
			}
		}
	}
	need := []string{}
	for _, s := range domain.States {
		need = append(need, "state."+string(s))
	}
	for _, p := range []domain.Phase{domain.PhaseOpen, domain.PhaseReviewing, domain.PhaseRanked, domain.PhasePublicity, domain.PhaseClosed} {
		need = append(need, "phase."+string(p))
	}
	for _, p := range []domain.PrefectureStatus{domain.PrefectureOpen, domain.PrefectureFiled, domain.PrefectureForfeited, domain.PrefectureGaveUp} {
		need = append(need, "ps."+string(p))
	}
	for _, r := range []domain.Role{domain.RoleCounty, domain.RolePrefecture, domain.RoleReviewer, domain.RoleAdmin} {
		need = append(need, "role."+string(r))
	}
	for _, c := range domain.Criteria {
		need = append(need, "crit."+c)
	}
	for _, it := range domain.Checklist {
		need = append(need, "item."+it.Number)
	}
	for _, c := range []domain.Code{domain.CodeBadRequest, domain.CodeForbidden, domain.CodeNotFound, domain.CodeConflict, domain.CodeDeadlinePassed,
		domain.CodeIneligible, domain.CodeOverCap, domain.CodeMaterialsIncomplete, domain.CodeInvalidState} {
		need = append(need, "code."+string(c))
	}
	for _, c := range []string{"unauthenticated", "rate_limited", "internal", "unavailable", "timeout", "payload_too_large", "method_not_allowed", "csrf"} {
		need = append(need, "code."+c)
	}
	for i := 1; i <= 12; i++ {
		need = append(need, "rule.R"+strconv.Itoa(i))
	}
	for _, k := range need {
		if _, ok := messages[k]; !ok {
			t.Errorf("no text for %s", k)
		}
	}
}

func TestFormParsing(t *testing.T) {
	if got := splitList(" 520123, 520111、520112\n520113 "); strings.Join(got, "|") != "520123|520111|520112|520113" {
		t.Errorf("splitList: %q", got)
	}
	scores, err := parseScores("520328=86.5\n520322:70")
	if err != nil || scores["520328"] != 86.5 || scores["520322"] != 70 {
		t.Errorf("parseScores: %v %v", scores, err)
	}
	if _, err := parseScores("520328"); err == nil {
		t.Error("a score without a value should be refused")
	}
	at, err := parseLocal("2016-08-01T23:59:59")
	if err != nil || !at.Equal(time.Date(2016, 8, 1, 23, 59, 59, 0, domain.Shanghai)) {
		t.Errorf("parseLocal: %v %v", at, err)
	}
	// R13/R14: the correction form's deadlines and score corrections.
	for in, want := range map[string]string{"": "", "2016-08-05": "2016-08-05", "2016-08-05T23:59:59": "2016-08-05T23:59:59+08:00",
		"2016-08-05T12:00:00Z": "2016-08-05T12:00:00Z"} {
		if got, err := formDeadline(in); err != nil || got != want {
			t.Errorf("formDeadline(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := formDeadline("next friday"); err == nil {
		t.Error("formDeadline should refuse text that is no date")
	}
	corr, err := parseScoreCorrections("520328=88, 520322=")
	if err != nil || *corr["520328"] != 88 || corr["520322"] != nil || len(corr) != 2 {
		t.Errorf("parseScoreCorrections: %v %v", corr, err)
	}
	if got := formatNumber(86.5); got != "86.5" {
		t.Errorf("formatNumber(86.5) = %q", got)
	}
	if got := formatNumber(3.0); got != "3" {
		t.Errorf("formatNumber(3) = %q", got)
	}
}
