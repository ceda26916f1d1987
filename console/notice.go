package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/readmodel"
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
	var version int64 // 0: the current notice
	if raw := r.ec.QueryParam("version"); raw != "" {
		// An earlier version of the notice (R10); the API says whether it exists.
		if version, err = strconv.ParseInt(raw, 10, 64); err != nil || version < 1 {
			return badPath("version %q must be a whole number from 1", raw)
		}
	}
	n, err := c.public(r).Notice(r.ctx(), year, version)
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
	res, err := c.public(r).Object(r.formCtx(), year, county,
		api.ObjectionRequest{Reason: strings.TrimSpace(ec.FormValue("reason")), Contact: strings.TrimSpace(ec.FormValue("contact"))})
	if ae, ok := apiclient.AsError(err); ok {
		c.setFlash(ec, flash{Kind: "error", Err: ae})
		return ec.Redirect(http.StatusSeeOther, page+"#objection")
	}
	if err != nil {
		return err
	}
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.objection_filed", Args: []string{res.ID, divisionName(county)}})
	return ec.Redirect(http.StatusSeeOther, page)
}
