package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// askedStore is the empty read model that remembers which provinces' campaigns and
// notices the API was asked for, so a test sees which province a console page spoke to.
type askedStore struct {
	emptyStore
	mu    sync.Mutex
	asked map[string]bool
}

func (s *askedStore) ask(province string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked[province] = true
}

func (s *askedStore) Campaign(_ context.Context, province string, _ int) (readmodel.CampaignView, error) {
	s.ask(province)
	return readmodel.CampaignView{}, store.ErrNotFound
}

func (s *askedStore) Notice(_ context.Context, province string, _ int) (readmodel.Notice, error) {
	s.ask(province)
	return readmodel.Notice{}, store.ErrNotFound
}

func (s *askedStore) take() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.asked
	s.asked = map[string]bool{}
	return out
}

// One console serves every province (R12 across provinces): the public picks one and
// keeps it; an official always sees their own region's province, whatever the public
// choice; the dev picker lays out the chosen province's regions.
func TestConsoleServesEveryProvince_R12(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	st := &askedStore{asked: map[string]bool{}}
	e := api.New(api.Config{JWTSecret: testSecret, Logger: quiet, Province: "520000"}, nil, st)
	if err := Mount(e, Config{JWTSecret: testSecret, Dev: true, Logger: quiet, Province: "520000"}); err != nil {
		t.Fatal(err)
	}

	home := serve(e, http.MethodGet, "/", nil, nil, nil)
	if !strings.Contains(home.body, `data-province="520000"`) || !strings.Contains(home.body, `<option value="410000">河南省 410000</option>`) {
		t.Fatalf("the public's home should show the default province and offer the others:\n%s", home.body)
	}
	if got := st.take(); !got["520000"] || len(got) != 1 {
		t.Errorf("the default home asked for the notices of %v; want 520000 only", got)
	}

	picked := serve(e, http.MethodGet, "/?province=410000", nil, nil, nil)
	ck := picked.cookie[provinceCookie]
	if ck == nil || ck.Value != "410000" || !strings.Contains(picked.body, `data-province="410000"`) ||
		!strings.Contains(picked.body, `<option value="410000" selected>`) {
		t.Fatalf("?province=410000: cookie %v, page not Henan's", ck)
	}
	if got := st.take(); !got["410000"] || len(got) != 1 {
		t.Errorf("Henan's home asked for the notices of %v; want 410000 only", got)
	}
	again := serve(e, http.MethodGet, "/notices/2016", nil, []*http.Cookie{ck}, nil)
	if got := st.take(); !got["410000"] || len(got) != 1 {
		t.Errorf("the notice page with the remembered choice asked %v (status %d); want 410000 only", got, again.code)
	}
	if res := serve(e, http.MethodGet, "/?province=999999", nil, nil, nil); res.cookie[provinceCookie] != nil || !strings.Contains(res.body, `data-province="520000"`) {
		t.Error("an unknown province is not remembered and the default stays")
	}

	signin := serve(e, http.MethodGet, "/signin", nil, []*http.Cookie{ck}, nil)
	if !strings.Contains(signin.body, `value="410100" data-level="prefecture"`) || strings.Contains(signin.body, `value="520300"`) {
		t.Error("the dev picker should lay out Henan's regions once Henan is picked")
	}

	// A county official of Henan signs in with a pasted token; a Guizhou choice of the
	// public does not change what they see.
	tok, err := api.MintToken(testSecret, domain.RoleCounty, "410181", "gongyi", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	csrf := csrfSession(t, e)
	res := serve(e, http.MethodPost, "/signin", url.Values{"mode": {"token"}, "token": {tok}, csrfField: {csrf.Value}}, []*http.Cookie{csrf}, nil)
	session := res.cookie[sessionCookie]
	if res.code != http.StatusSeeOther || session == nil {
		t.Fatalf("a Henan county's token was refused: %d %s", res.code, res.body)
	}
	guizhou := &http.Cookie{Name: provinceCookie, Value: "520000"}
	st.take()
	page := serve(e, http.MethodGet, "/", nil, []*http.Cookie{session, guizhou}, nil)
	if !strings.Contains(page.body, `data-province="410000"`) || strings.Contains(page.body, `id="province-picker"`) {
		t.Error("an official's pages are their own province's, without the public's picker")
	}
	if got := st.take(); !got["410000"] || got["520000"] {
		t.Errorf("a Henan official's home asked %v; want Henan's campaigns only", got)
	}
	if res := serve(e, http.MethodGet, "/campaigns/2016/applications/520382", nil, []*http.Cookie{session}, nil); res.code != http.StatusNotFound {
		t.Errorf("a Guizhou county's page for a Henan official: %d, want 404", res.code)
	}

	// The dev picker signs in a prefecture of the region's own province.
	csrf = csrfSession(t, e)
	res = serve(e, http.MethodPost, "/signin", url.Values{"mode": {"dev"}, "role": {"prefecture"}, "region": {"410100"}, csrfField: {csrf.Value}}, []*http.Cookie{csrf}, nil)
	if res.code != http.StatusSeeOther || res.cookie[sessionCookie] == nil {
		t.Errorf("dev sign-in as 郑州市 410100: %d", res.code)
	}
}
