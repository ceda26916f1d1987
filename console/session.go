package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// Cookies of the console. The session cookie holds the bearer token itself: it is
// HttpOnly (no script, ours included, can read it) and SameSite=Strict (no other site
// can make the browser send it), which is why pages are proxied server-side instead of
// calling /api/v1 from JS.
const (
	sessionCookie = "selection_session"
	csrfCookie    = "selection_csrf"
	flashCookie   = "selection_flash"
	langCookie    = "selection_lang"
	// provinceCookie remembers the province the public picked (?province=).
	provinceCookie = "selection_province"
	csrfField      = "_csrf"
	idemField      = "_idem"
	csrfKey        = "console.csrf"
	// devTokenTTL is how long a token minted by the Dev picker lasts: a working day.
	devTokenTTL = 12 * time.Hour
)

// user is who is signed in, read from the session token's claims. The console uses it
// only to choose what to show; the API checks the token again on every call (R12).
type user struct {
	Sub     string
	Role    domain.Role
	Region  string
	Expires time.Time
	token   string
}

// RegionName is the region's name for the header ("遵义市 520300").
func (u *user) RegionName(d *domain.Divisions) string {
	if div, ok := d.Get(u.Region); ok {
		return div.Name
	}
	return u.Region
}

// request is one console request: the echo context plus what every page needs.
type request struct {
	ec   echo.Context
	c    *console
	lang string
	user *user
	// province is the province whose campaigns the request concerns: the signed-in
	// official's own, else the one the public picked, else the deployment's default;
	// divs are its divisions.
	province string
	divs     *domain.Divisions
}

func (r *request) ctx() context.Context { return r.ec.Request().Context() }

// token is the signed-in user's bearer token, or "" for the public.
func (r *request) token() string {
	if r.user == nil {
		return ""
	}
	return r.user.token
}

// handlerFunc is a console handler. A returned error is rendered as an HTML page (never
// handed to the API's JSON error handler): API refusals as a banner, the rest as a 500.
type handlerFunc func(r *request) error

// errSignIn asks the wrapper to send the browser to the sign-in page and back.
var errSignIn = errors.New("sign-in required")

func (c *console) wrap(h handlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		r := c.newRequest(ec)
		if err := h(r); err != nil {
			c.fail(r, err)
		}
		return nil
	}
}

// newRequest reads the language (a ?lang= switch is remembered in a cookie) and the
// session. An invalid or expired session cookie is dropped, so the page shows "sign in"
// instead of failing on every API call.
func (c *console) newRequest(ec echo.Context) *request {
	r := &request{ec: ec, c: c, lang: langZH}
	if q := ec.QueryParam("lang"); q == langZH || q == langEN {
		r.lang = q
		c.setCookie(ec, &http.Cookie{Name: langCookie, Value: q, MaxAge: 365 * 24 * 3600})
	} else if ck, err := ec.Cookie(langCookie); err == nil && (ck.Value == langZH || ck.Value == langEN) {
		r.lang = ck.Value
	}
	if ck, err := ec.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if u, err := c.parseToken(ck.Value); err == nil {
			r.user = u
		} else {
			c.clearCookie(ec, sessionCookie)
		}
	}
	r.province = c.cfg.Province
	switch q := ec.QueryParam("province"); {
	case r.user != nil:
		r.province = domain.ProvinceCode(r.user.Region)
	case c.regions[q] != nil:
		r.province = q
		c.setCookie(ec, &http.Cookie{Name: provinceCookie, Value: q, MaxAge: 365 * 24 * 3600})
	default:
		if ck, err := ec.Cookie(provinceCookie); err == nil && c.regions[ck.Value] != nil {
			r.province = ck.Value
		}
	}
	r.divs = c.regions[r.province]
	return r
}

// parseToken verifies a token as the API does (HS256, exp required, a subject) and
// checks that its role and region fit together, so a mistyped region is refused at
// sign-in with a clear message rather than with 403s on every page.
func (c *console) parseToken(raw string) (*user, error) {
	claims := &api.Claims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired())
	if _, err := parser.ParseWithClaims(strings.TrimSpace(raw), claims, func(*jwt.Token) (any, error) { return c.cfg.JWTSecret, nil }); err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, errors.New("token has no sub claim")
	}
	a := domain.Actor{Sub: claims.Subject, Role: claims.Role, Region: claims.Region}
	province := domain.ProvinceCode(a.Region)
	divs, ok := c.regions[province]
	if !ok {
		return nil, &domain.RuleError{Code: domain.CodeForbidden, Rule: "R12", Message: fmt.Sprintf("region %q is in no province this deployment knows", domain.Excerpt(a.Region))}
	}
	if err := domain.ValidateActor(a, divs, province); err != nil {
		return nil, err
	}
	return &user{Sub: claims.Subject, Role: claims.Role, Region: claims.Region, Expires: claims.ExpiresAt.Time, token: strings.TrimSpace(raw)}, nil
}

// requireUser sends the public to the sign-in page, which comes back here afterwards.
func (r *request) requireUser() error {
	if r.user == nil {
		return errSignIn
	}
	return nil
}

// fail renders err: API refusals as the page's banner with the API's status, sign-in
// needs as a redirect, anything else as a logged 500 whose text the user never sees.
func (c *console) fail(r *request, err error) {
	ec := r.ec
	if errors.Is(err, errSignIn) {
		c.redirectToSignIn(r, "")
		return
	}
	if ae, ok := apiclient.AsError(err); ok {
		if ae.Status == http.StatusUnauthorized {
			c.clearCookie(ec, sessionCookie)
			c.redirectToSignIn(r, "flash.session_expired")
			return
		}
		c.renderError(r, ae.Status, ae)
		return
	}
	c.log.ErrorContext(r.ctx(), "console request failed", "method", ec.Request().Method,
		"path", ec.Request().URL.Path, "request_id", ec.Response().Header().Get(echo.HeaderXRequestID), "error", err.Error())
	c.renderError(r, http.StatusInternalServerError, &apiclient.Error{Status: http.StatusInternalServerError, Code: "internal",
		Message: "request ID " + ec.Response().Header().Get(echo.HeaderXRequestID)})
}

func (c *console) redirectToSignIn(r *request, flashKey string) {
	next := r.ec.Request().URL.Path
	if r.ec.Request().Method != http.MethodGet {
		next = r.ec.Request().Referer()
		if u, err := url.Parse(next); err == nil {
			next = u.Path
		}
	}
	if flashKey != "" {
		c.setFlash(r.ec, flash{Kind: "info", Key: flashKey})
	}
	_ = r.ec.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(localPath(next)))
}

// maxNextDecodes is how many layers of percent-encoding localPath looks through; a next
// still encoded deeper than that is refused.
const maxNextDecodes = 3

// localPath keeps redirects on this site: next comes back unchanged only when it is a
// path of this host, as it stands and after each percent-decoding (a proxy or a later
// redirect may decode it), and "/" stands in for anything else. Browsers remove tabs and
// newlines anywhere in a URL and read a backslash as a slash, so "/\t/evil.example" or
// "/\evil.example" is "//evil.example" to them: another host.
func localPath(next string) string {
	s := next
	for range maxNextDecodes + 1 {
		if !onSite(s) {
			return "/"
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "/"
		}
		if d == s {
			return next
		}
		s = d
	}
	return "/"
}

// onSite reports whether s, read as it stands, is a path of this host: one leading
// slash; no control character, space or backslash, which URL parsers drop or read as a
// slash; and no dot segment, which a parser may collapse into a leading "//".
func onSite(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	path := s
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		path = s[:i]
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// setCookie sets a console cookie: always HttpOnly and SameSite=Strict, Secure when the
// browser reached us over TLS (directly or through a proxy that says so — trusting that
// header can only make a cookie stricter).
func (c *console) setCookie(ec echo.Context, ck *http.Cookie) {
	ck.Path = "/"
	ck.HttpOnly = true
	ck.SameSite = http.SameSiteStrictMode
	ck.Secure = ec.Request().TLS != nil || ec.Request().Header.Get(echo.HeaderXForwardedProto) == "https"
	ec.SetCookie(ck)
}

func (c *console) clearCookie(ec echo.Context, name string) {
	c.setCookie(ec, &http.Cookie{Name: name, Value: "", MaxAge: -1})
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// csrf is the double-submit check of every console form: a random token lives in an
// HttpOnly, SameSite=Strict cookie and in a hidden field of each form; a POST whose field
// does not match its cookie is refused, and so is any POST a browser labels cross-site.
// It is route middleware on console routes only, so /api/v1 (bearer tokens, no cookies)
// is unaffected.
func (c *console) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		had := ""
		if ck, err := ec.Cookie(csrfCookie); err == nil && len(ck.Value) == 48 {
			had = ck.Value
		}
		tok := had
		if tok == "" {
			tok = randomToken()
			c.setCookie(ec, &http.Cookie{Name: csrfCookie, Value: tok})
		}
		ec.Set(csrfKey, tok)
		switch ec.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(ec)
		}
		sent := ec.FormValue(csrfField)
		crossSite := ec.Request().Header.Get("Sec-Fetch-Site") == "cross-site"
		if crossSite || had == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(had)) != 1 {
			r := c.newRequest(ec)
			c.renderError(r, http.StatusForbidden, &apiclient.Error{Status: http.StatusForbidden, Code: "csrf"})
			return nil
		}
		return next(ec)
	}
}

// rotateCSRF gives a new session a new form token, so a token seen before sign-in (or
// planted then) is worthless after it.
func (c *console) rotateCSRF(ec echo.Context) {
	tok := randomToken()
	c.setCookie(ec, &http.Cookie{Name: csrfCookie, Value: tok})
	ec.Set(csrfKey, tok)
}

func csrfOf(ec echo.Context) string {
	s, _ := ec.Get(csrfKey).(string)
	return s
}

// flash is a one-time message carried across a POST's redirect (Post/Redirect/Get), so
// a reload never repeats an action and the result is still shown.
type flash struct {
	Kind string           `json:"k"`           // ok, info, error
	Key  string           `json:"m,omitempty"` // i18n key of the sentence
	Args []string         `json:"a,omitempty"` // its arguments
	Err  *apiclient.Error `json:"e,omitempty"` // the API's refusal, for Kind error
}

func (c *console) setFlash(ec echo.Context, f flash) {
	if f.Err != nil && len(f.Err.Message) > 600 {
		f.Err.Message = f.Err.Message[:600] + "…"
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return
	}
	c.setCookie(ec, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(raw), MaxAge: 120})
}

// takeFlash reads and clears the flash of the previous POST.
func (c *console) takeFlash(ec echo.Context) *flash {
	ck, err := ec.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.clearCookie(ec, flashCookie)
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(raw, &f) != nil {
		return nil
	}
	if f.Err != nil {
		f.Err.Message = strings.ToValidUTF8(f.Err.Message, "")
	}
	return &f
}

// signinPage shows the token form and, in Dev mode, the role/region picker.
func (c *console) signinPage(r *request) error {
	return c.renderSignin(r, http.StatusOK, nil)
}

func (c *console) renderSignin(r *request, status int, err *apiclient.Error) error {
	return c.render(r, status, "signin", pageOpts{title: "signin.title", err: err}, signinView{
		Next:     localPath(r.ec.QueryParam("next")),
		Dev:      c.cfg.Dev,
		Roles:    []domain.Role{domain.RoleCounty, domain.RolePrefecture, domain.RoleReviewer, domain.RoleAdmin},
		Province: r.provinceDiv(),
		Groups:   r.regionGroups(),
	})
}

// signinView is the sign-in page's data.
type signinView struct {
	Next     string
	Dev      bool
	Roles    []domain.Role
	Province domain.Division
	Groups   []regionGroup
}

// provinceChoice is one entry of the province picker.
type provinceChoice struct {
	Code, Name string
	Selected   bool
}

// provinceChoices lists every province the deployment serves, the request's selected.
func (c *console) provinceChoices(r *request) []provinceChoice {
	var out []provinceChoice
	for _, code := range domain.Provinces() {
		p, _ := domain.ProvinceOf(code)
		out = append(out, provinceChoice{Code: code, Name: p.Name, Selected: code == r.province})
	}
	return out
}

type regionGroup struct {
	Prefecture domain.Division
	Counties   []domain.Division
}

func (r *request) provinceDiv() domain.Division {
	d, _ := r.divs.Get(r.province)
	return d
}

func (r *request) regionGroups() []regionGroup {
	var out []regionGroup
	for _, p := range r.divs.Prefectures(r.province) {
		out = append(out, regionGroup{Prefecture: p, Counties: r.divs.Counties(p.Code)})
	}
	return out
}

// signin takes a pasted token or, in Dev mode, mints one for the chosen role and region
// with the API's own MintToken, and keeps it in the session cookie.
func (c *console) signin(r *request) error {
	ec := r.ec
	var raw string
	if ec.FormValue("mode") == "dev" {
		if !c.cfg.Dev {
			return c.renderSignin(r, http.StatusForbidden, &apiclient.Error{Status: http.StatusForbidden, Code: "dev_disabled"})
		}
		role, region := domain.Role(ec.FormValue("role")), ec.FormValue("region")
		if role == domain.RoleReviewer || role == domain.RoleAdmin {
			region = r.province
		}
		sub := strings.TrimSpace(ec.FormValue("sub"))
		if sub == "" {
			sub = "dev-" + string(role) + "-" + region
		}
		province, divs := r.province, r.divs
		if d, ok := c.regions[domain.ProvinceCode(region)]; ok && (role == domain.RoleCounty || role == domain.RolePrefecture) {
			province, divs = domain.ProvinceCode(region), d
		}
		if err := domain.ValidateActor(domain.Actor{Sub: sub, Role: role, Region: region}, divs, province); err != nil {
			ae := ruleToAPIError(err)
			return c.renderSignin(r, ae.Status, ae)
		}
		tok, err := api.MintToken(c.cfg.JWTSecret, role, region, sub, devTokenTTL)
		if err != nil {
			return c.renderSignin(r, http.StatusBadRequest, &apiclient.Error{Status: http.StatusBadRequest, Code: "bad_request", Message: err.Error()})
		}
		raw = tok
	} else {
		raw = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(ec.FormValue("token")), "Bearer "))
	}
	u, err := c.parseToken(raw)
	if err != nil {
		ae := ruleToAPIError(err)
		if ae.Code == "bad_request" {
			ae = &apiclient.Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: err.Error()}
		}
		return c.renderSignin(r, http.StatusUnauthorized, ae)
	}
	c.setCookie(ec, &http.Cookie{Name: sessionCookie, Value: u.token, Expires: u.Expires})
	c.rotateCSRF(ec)
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.signed_in", Args: []string{u.Sub}})
	next := localPath(ec.FormValue("next"))
	if strings.HasPrefix(next, "/signin") {
		next = "/"
	}
	return ec.Redirect(http.StatusSeeOther, next)
}

// signout forgets the token and the form token.
func (c *console) signout(r *request) error {
	c.clearCookie(r.ec, sessionCookie)
	c.rotateCSRF(r.ec)
	c.setFlash(r.ec, flash{Kind: "info", Key: "flash.signed_out"})
	return r.ec.Redirect(http.StatusSeeOther, "/")
}

// ruleToAPIError shows a domain refusal raised in the console itself (sign-in checks)
// exactly like one coming back from the API.
func ruleToAPIError(err error) *apiclient.Error {
	var re *domain.RuleError
	if errors.As(err, &re) {
		return &apiclient.Error{Status: http.StatusForbidden, Code: string(re.Code), Rule: re.Rule, Message: re.Message}
	}
	return &apiclient.Error{Status: http.StatusBadRequest, Code: "bad_request", Message: err.Error()}
}
