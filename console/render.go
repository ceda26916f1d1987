package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// pageTemplate is one page's template set (layout, partials, the page) bound to one
// language's functions.
type pageTemplate = *template.Template

// pageNames are the page files; each is parsed with the shared layout into its own set,
// since every page defines "content".
var pageNames = []string{"home", "signin", "board", "application", "prefecture", "review", "admin", "notice", "error"}

// parseTemplates parses every page once per language: the i18n functions are bound at
// parse time, so a page cannot mix languages and a missing key shows up in tests.
func parseTemplates() (map[string]map[string]pageTemplate, error) {
	out := map[string]map[string]pageTemplate{}
	for _, name := range pageNames {
		base, err := template.New(name).Funcs(funcsFor(langZH)).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", name, err)
		}
		out[name] = map[string]pageTemplate{}
		for _, lang := range languages {
			t, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("console: clone %s: %w", name, err)
			}
			out[name][lang] = t.Funcs(funcsFor(lang))
		}
	}
	return out, nil
}

// templateFiles lists the embedded templates, for the i18n completeness test.
func templateFiles() ([]string, error) {
	return fs.Glob(templateFS, "templates/*.html")
}

// funcsFor is the template vocabulary: translation, the names of states, phases, roles,
// actions, error codes and rules, and the formats of times and scores.
func funcsFor(lang string) template.FuncMap {
	tr := func(prefix string) func(v any) string {
		return func(v any) string {
			s := fmt.Sprint(v)
			if s == "" {
				return ""
			}
			if msg, ok := lookup(lang, prefix+s); ok {
				return msg
			}
			return s
		}
	}
	return template.FuncMap{
		"t":          func(key string) string { return translate(lang, key) },
		"tf":         func(key string, args ...any) string { return translatef(lang, key, args...) },
		"tflash":     func(f flash) string { return flashText(lang, f) },
		"state":      tr("state."),
		"prefstatus": tr("ps."),
		"phase":      tr("phase."),
		"role":       tr("role."),
		"action":     tr("action."),
		"code":       tr("code."),
		"criterion":  tr("crit."),
		"objstatus":  tr("ob."),
		"rule": func(v any) string {
			msg, _ := lookup(lang, "rule."+fmt.Sprint(v))
			return msg
		},
		"datetime": func(v any) string { return formatTime(v, "2006-01-02 15:04:05") },
		"rfc3339":  func(v any) string { return formatTime(v, time.RFC3339) },
		"num":      formatNumber,
		"numptr": func(p *float64) string {
			if p == nil {
				return "—"
			}
			return formatNumber(*p)
		},
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
		"add":       func(a, b int) int { return a + b },
		"dec":       func(n int64) int64 { return n - 1 },
		"hasPrefix": strings.HasPrefix,
		"divname":   divisionName,
	}
}

// displayZone is where every time is shown: the notice's dates are Beijing time (R1).
var displayZone = domain.Shanghai

func formatTime(v any, layout string) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return "—"
		}
		return t.In(displayZone).Format(layout)
	case *time.Time:
		if t == nil || t.IsZero() {
			return "—"
		}
		return t.In(displayZone).Format(layout)
	}
	return fmt.Sprint(v)
}

// formatNumber shows a score or weight with at most two decimals and no trailing
// zeros: 86.5, 0.15, 3.
func formatNumber(v any) string {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case *float64:
		if n == nil {
			return "—"
		}
		f = *n
	case int:
		f = float64(n)
	default:
		return fmt.Sprint(v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func divisionName(code string) string {
	if name, ok := domain.NameOf(code); ok {
		return name
	}
	return code
}

// navLink is one tab of the campaign navigation or one link of the home page.
type navLink struct {
	Key    string
	Href   string
	Active bool
}

// deadlineView is the next deadline a page counts down to.
type deadlineView struct {
	Key string
	At  time.Time
}

// pageOpts are a page's framing: title, banner, canonical path, year for the tabs.
type pageOpts struct {
	title     string
	titleArgs []any
	err       *apiclient.Error
	self      string // canonical GET path, for the language links (default: this path)
	year      int
}

// pageData is what every template receives; Body is the page's own view.
type pageData struct {
	Lang       string
	Title      string
	User       *user
	UserRegion string
	CSRF       string
	Idem       string
	Flash      *flash
	Err        *apiclient.Error
	LangZH     string
	LangEN     string
	Year       int
	Nav        []navLink
	Body       any
	// Province is the province the page concerns (request.province); Provinces, the
	// picker's choices, only for the public, since an official's province is their
	// region's.
	Province  domain.Division
	Provinces []provinceChoice
}

// render writes a full page. Pages are per user, so they are never cached; the CSP
// allows only this origin's script and style, so the console has no inline script.
func (c *console) render(r *request, status int, page string, o pageOpts, body any) error {
	ec := r.ec
	self := o.self
	if self == "" {
		self = ec.Request().URL.Path
	}
	d := pageData{
		Lang:   r.lang,
		Title:  translatef(r.lang, o.title, o.titleArgs...),
		User:   r.user,
		CSRF:   csrfOf(ec),
		Idem:   randomToken(),
		Flash:  c.takeFlash(ec),
		Err:    o.err,
		LangZH: self + "?lang=" + langZH,
		LangEN: self + "?lang=" + langEN,
		Year:   o.year,
		Body:   body,
	}
	d.Province = r.provinceDiv()
	if r.user != nil {
		d.UserRegion = r.user.RegionName(r.divs)
	} else {
		d.Provinces = c.provinceChoices(r)
	}
	if o.year > 0 {
		d.Nav = c.nav(r, o.year)
	}
	return c.write(r, status, page, "layout", d)
}

// write executes one template of a page set into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (c *console) write(r *request, status int, page, name string, data any) error {
	t := c.pages[page][r.lang]
	if t == nil {
		return fmt.Errorf("console: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("console: render %s/%s: %w", page, name, err)
	}
	h := r.ec.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "same-origin")
	return r.ec.HTMLBlob(status, buf.Bytes())
}

// renderError shows a refusal or failure as a page with the banner.
func (c *console) renderError(r *request, status int, ae *apiclient.Error) {
	if err := c.render(r, status, "error", pageOpts{title: "error.title", err: ae}, nil); err != nil {
		c.log.ErrorContext(r.ctx(), "render error page", "error", err.Error())
		_ = r.ec.String(status, translate(r.lang, "code."+ae.Code)+" "+ae.Rule+" "+ae.Message)
	}
}

// nav is the campaign's tabs for the signed-in role; the public sees the notice only.
func (c *console) nav(r *request, year int) []navLink {
	y := "/campaigns/" + strconv.Itoa(year)
	var links []navLink
	if u := r.user; u != nil {
		links = append(links, navLink{Key: "nav.board", Href: y})
		switch u.Role {
		case domain.RoleCounty:
			links = append(links, navLink{Key: "nav.my_application", Href: y + "/applications/" + u.Region})
		case domain.RolePrefecture:
			links = append(links, navLink{Key: "nav.my_prefecture", Href: y + "/prefectures/" + u.Region})
		case domain.RoleReviewer:
			links = append(links, navLink{Key: "nav.review", Href: y + "/review"})
		case domain.RoleAdmin:
			links = append(links, navLink{Key: "nav.review", Href: y + "/review"}, navLink{Key: "nav.admin", Href: y + "/admin"})
		}
	}
	links = append(links, navLink{Key: "nav.notice", Href: "/notices/" + strconv.Itoa(year)})
	path := r.ec.Request().URL.Path
	for i := range links {
		links[i].Active = links[i].Href == path
	}
	return links
}

// httpStatus picks the status of a page that shows an API refusal next to its form.
func httpStatus(ae *apiclient.Error) int {
	if ae == nil || ae.Status == 0 {
		return http.StatusOK
	}
	return ae.Status
}
