package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
)

// NextCandidates are values of ?next= that the sign-in redirect must judge, each with
// whether localPath keeps it: paths of this site, and every way found of naming another
// host through a browser's URL parser. TestSignInNextStaysOnSiteInBrowser resolves them
// all in Chromium.
var NextCandidates = map[string]bool{
	"/":               true,
	"/campaigns/2016": true,
	"/campaigns/2016/applications/520322?lang=en": true,
	"/notices/2016#objection":                     true,
	"/campaigns/2016/prefectures/520300":          true,
	"/a%2Fb":                                      true, // an encoded slash inside a path stays inside it
	"/\u00a0/evil.example":                        true, // non-ASCII is percent-encoded by the browser, not dropped
	"/\u3000/evil.example":                        true,
	"/%E9%81%B5%E4%B9%89":                         true,

	"":                        false,
	"campaigns/2016":          false,
	"evil.example":            false,
	"https://evil.example":    false,
	"http:evil.example":       false,
	"javascript:alert(1)":     false,
	"data:text/html,x":        false,
	"//evil.example":          false,
	"///evil.example":         false,
	"/\\evil.example":         false,
	"\\/evil.example":         false,
	"/\\/evil.example":        false,
	"\\\\evil.example":        false,
	"/\t/evil.example":        false,
	"/\n/evil.example":        false,
	"/\r/evil.example":        false,
	"/\r\n/evil.example":      false,
	"/\x00/evil.example":      false,
	"/\x0b/evil.example":      false,
	"/\x7f/evil.example":      false,
	" //evil.example":         false,
	"\t//evil.example":        false,
	"/ /evil.example":         false,
	"/campaigns\t/2016":       false,
	"/%09/evil.example":       false,
	"/%0a/evil.example":       false,
	"/%0D%0A/evil.example":    false,
	"/%00/evil.example":       false,
	"/%2F/evil.example":       false,
	"/%2f%2fevil.example":     false,
	"%2F%2Fevil.example":      false,
	"/%5Cevil.example":        false,
	"/%5c%5cevil.example":     false,
	"/%252F/evil.example":     false,
	"/%25252F/evil.example":   false,
	"/%2525252F/evil.example": false, // deeper than maxNextDecodes
	"/%zz":                    false,
	"/./evil.example":         false,
	"/.//evil.example":        false,
	"/..//evil.example":       false,
	"/%2E%2E//evil.example":   false,
	"/campaigns/..":           false,
}

func TestLocalPathKeepsOnlyPathsOfThisSite(t *testing.T) {
	for in, kept := range NextCandidates {
		want := "/"
		if kept {
			want = in
		}
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAPICallsCarryTheClientAddress: the console's in-process API request carries the
// browser's address and the X-Forwarded-For it arrived with, so behind trusted proxies
// the API's per-client limits count the client, not the proxy, and the console
// request's ID, so the logs hold one trail per user action.
func TestAPICallsCarryTheClientAddress(t *testing.T) {
	var got *http.Request
	c := &console{api: apiclient.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.WriteHeader(http.StatusNoContent)
	}))}
	in := httptest.NewRequest(http.MethodPost, "/notices/2016/objections", nil)
	in.RemoteAddr = "10.0.0.2:41000"
	in.Header.Add(echo.HeaderXForwardedFor, "203.0.113.9")
	in.Header.Add(echo.HeaderXForwardedFor, "10.0.0.1")
	ec := echo.New().NewContext(in, httptest.NewRecorder())
	ec.Response().Header().Set(echo.HeaderXRequestID, "req-41000")
	if _, err := c.public(&request{ec: ec}).Object(context.Background(), 2016, "520322", api.ObjectionRequest{}); err != nil {
		t.Fatal(err)
	}
	if got.RemoteAddr != in.RemoteAddr {
		t.Errorf("RemoteAddr %q, want %q", got.RemoteAddr, in.RemoteAddr)
	}
	if xff := got.Header.Values(echo.HeaderXForwardedFor); len(xff) != 2 || xff[0] != "203.0.113.9" || xff[1] != "10.0.0.1" {
		t.Errorf("X-Forwarded-For %q, want both of the browser's request", xff)
	}
	if id := got.Header.Get(echo.HeaderXRequestID); id != "req-41000" {
		t.Errorf("X-Request-ID %q, want the console request's", id)
	}
}
