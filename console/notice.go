package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

type noticeView struct {
	Notice *readmodel.Notice
	Open   bool
}

// notice is the public 公示 (R9, R11): no sign-in, the shortlist with each score's
// explanation, and the objection form while publicity runs (R10).
func (c *console) notice(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	var v noticeView
	var n readmodel.Notice
	path := fmt.Sprintf("/campaigns/%d/notice", year)
	if ver := r.ec.QueryParam("version"); ver != "" {
		// An earlier version of the notice (R10); the API judges the number.
		path = withQuery(path, "version", ver)
	}
	err = c.do(r, call{method: http.MethodGet, path: path}, &n)
	switch {
	case isStatus(err, http.StatusNotFound):
	case err != nil:
		return err
	default:
		v.Notice = &n
		now := time.Now()
		for _, e := range n.Shortlist {
			if now.Before(e.PublicityEndsAt) && (e.Status == "" || e.Status == "shortlisted") {
				v.Open = true
			}
		}
	}
	return c.render(r, http.StatusOK, "notice", pageOpts{title: "notice.title", titleArgs: []any{year}, year: year}, v)
}

// object files a public objection through the API's public route; the browser's
// address goes along, so the API's rate limit counts the real client (R10).
func (c *console) object(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	ec := r.ec
	page := fmt.Sprintf("/notices/%d", year)
	county := ec.FormValue("county")
	if !codePattern.MatchString(county) {
		c.setFlash(ec, flash{Kind: "error", Err: badPath("county %q must be a 6-digit division code", county)})
		return ec.Redirect(http.StatusSeeOther, page+"#objection")
	}
	var res workflows.ObjectResult
	err = c.do(r, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/objections", year, county),
		body: map[string]string{"reason": strings.TrimSpace(ec.FormValue("reason")), "contact": strings.TrimSpace(ec.FormValue("contact"))},
		idem: ec.FormValue(idemField)}, &res)
	if ae, ok := asAPIError(err); ok {
		c.setFlash(ec, flash{Kind: "error", Err: ae})
		return ec.Redirect(http.StatusSeeOther, page+"#objection")
	}
	if err != nil {
		return err
	}
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.objection_filed", Args: []string{res.ID, divisionName(county)}})
	return ec.Redirect(http.StatusSeeOther, page)
}
