package store

import (
	"fmt"
	"time"
)

// The lists of the read model (applications, timelines, objections) grow with what the
// public and the workflows do, so they are read a page at a time. Paging is by key, not
// by offset: each page starts after the last key of the one before, so a deep page
// costs what the first one does, and rows added meanwhile never shift a reader into
// serving a row twice or stepping over one.

// PageRequest asks for at most Limit rows of a list, those after the key After in the
// list's order; a nil After starts at the beginning.
type PageRequest[K any] struct {
	Limit int
	After *K
}

// Page is one page of a list in the list's order. Next is the key of its last row when
// more rows follow, the After of the following request; nil on the last page.
type Page[T, K any] struct {
	Items []T
	Next  *K
}

// ObjectionKey is an objection's place in filing order: filed_at, ties broken by id.
type ObjectionKey struct {
	FiledAt time.Time
	ID      string
}

// check refuses a request that could not make progress; the HTTP edge bounds Limit
// from above, the store only needs it positive.
func (r PageRequest[K]) check() error {
	if r.Limit < 1 {
		return fmt.Errorf("page limit %d must be at least 1", r.Limit)
	}
	return nil
}

// pageOf turns the rows of a query run with LIMIT limit+1 into a page: the extra row,
// when it came, only says that another page follows.
func pageOf[T, K any](rows []T, limit int, key func(T) K) Page[T, K] {
	if len(rows) <= limit {
		return Page[T, K]{Items: nonNil(rows)}
	}
	next := key(rows[limit-1])
	return Page[T, K]{Items: rows[:limit], Next: &next}
}
