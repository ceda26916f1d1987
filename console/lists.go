package console

import (
	"net/url"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/readmodel"
)

// The API answers lists a page at a time, with next_cursor while more rows follow.
// Timelines and objections grow with what the public does, so the console shows one
// page of them and a link to the next. Applications are read whole: the board, the
// prefecture and the review pages lay them out over the province's map, and a campaign
// has at most one application per county.

// withQuery is the console's path with the non-empty values of kv (name, value, …) as
// its query.
func withQuery(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// applications reads every application of a campaign matching q's filters, following
// next_cursor at the API's largest page.
func (c *console) applications(r *request, year int, q apiclient.ApplicationsQuery) ([]readmodel.Application, error) {
	var all []readmodel.Application
	q.Page = apiclient.Page{Limit: api.MaxLimit}
	for {
		p, err := c.client(r).Applications(r.ctx(), year, q)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Applications...)
		if p.NextCursor == "" {
			return all, nil
		}
		q.Cursor = p.NextCursor
	}
}

// pager is the navigation under a paged list: Next leads to the page after this one
// (empty on the last page), First back to the beginning (empty on the first page).
type pager struct {
	ID    string
	Next  string
	First string
}

// pagerFor links the list a page shows at self: param carries the cursor in the
// console's own query (the page shows the list from cursor on), next is the API's
// next_cursor, anchor the list's place on the page.
func pagerFor(id, self, param, cursor, next, anchor string) pager {
	p := pager{ID: id}
	if next != "" {
		p.Next = withQuery(self, param, next) + anchor
	}
	if cursor != "" {
		p.First = self + anchor
	}
	return p
}
