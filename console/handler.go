package console

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// What every page handler shares: reading the path, calling the API, the refusals the
// console makes itself, and the Post/Redirect/Get answer of a form.

var (
	yearPattern = regexp.MustCompile(`^[0-9]{4}$`)
	codePattern = regexp.MustCompile(`^[0-9]{6}$`)
)

func badPath(format string, args ...any) *apiclient.Error {
	return &apiclient.Error{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiclient.Error {
	return &apiclient.Error{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// year reads :year; the console checks the path's shape itself only so that a typo
// gets a page instead of an API call.
func (r *request) year() (int, error) {
	raw := r.ec.Param("year")
	if !yearPattern.MatchString(raw) {
		return 0, badPath("year %q must be a four-digit year", raw)
	}
	y, _ := strconv.Atoi(raw)
	return y, nil
}

func (r *request) code(name string) (string, error) {
	raw := r.ec.Param(name)
	if !codePattern.MatchString(raw) {
		return "", badPath("%s %q must be a 6-digit division code", name, raw)
	}
	return raw, nil
}

// isStatus reports whether err is the API's refusal with that status.
func isStatus(err error, status int) bool {
	ae, ok := apiclient.AsError(err)
	return ok && ae.Status == status
}

// nextDeadline is what a campaign waits for now: the recommendation deadline while
// open, the notice deadline while reviewing (R9), the end of publicity (R10).
func nextDeadline(v readmodel.CampaignView) *deadlineView {
	switch v.Phase {
	case domain.PhaseOpen:
		return &deadlineView{Key: "deadline.recommendation", At: v.Deadlines.Recommendation}
	case domain.PhaseReviewing, domain.PhaseRanked:
		return &deadlineView{Key: "deadline.notice", At: v.Deadlines.Notice}
	case domain.PhasePublicity:
		if v.Deadlines.PublicityEndsAt != nil {
			return &deadlineView{Key: "deadline.publicity_end", At: *v.Deadlines.PublicityEndsAt}
		}
	}
	return nil
}

// send is one form's call to the API, made with the form's context (its idempotency
// key) and the user's client.
type send func(ctx context.Context, cl *apiclient.Client) error

// act runs one form's API call and answers Post/Redirect/Get: the result or the
// refusal travels in a flash to the page the browser is sent back to.
func (c *console) act(r *request, back string, call send, okKey string, okArgs ...string) error {
	if err := r.requireUser(); err != nil {
		return err
	}
	err := call(r.formCtx(), c.client(r))
	if ae, ok := apiclient.AsError(err); ok && ae.Status != http.StatusUnauthorized {
		c.setFlash(r.ec, flash{Kind: "error", Err: ae})
		return r.ec.Redirect(http.StatusSeeOther, back)
	}
	if err != nil {
		return err
	}
	c.setFlash(r.ec, flash{Kind: "ok", Key: okKey, Args: okArgs})
	return r.ec.Redirect(http.StatusSeeOther, back)
}

// divsOf is a campaign's own divisions: its edition of the codes and its list of
// directly administered counties (R2, R4), so a campaign's pages lay out and badge its
// counties as its workflow judges them; the province's regions (r.divs) span every
// edition and are for sign-in and jurisdiction.
func (c *console) divsOf(r *request, cv readmodel.CampaignView) *domain.Divisions {
	d, err := domain.ReferenceFor(domain.Campaign{Year: cv.Year, Province: cv.Province, Edition: cv.Edition, DirectlyAdministered: cv.DirectlyAdministered})
	if err != nil {
		return r.divs
	}
	return d
}
