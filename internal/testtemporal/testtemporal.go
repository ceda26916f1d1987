// Package testtemporal starts the in-process Temporal server of the tests with the
// product's search attributes registered, so every test sees the namespace production has.
package testtemporal

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/server/temporaltest"

	"github.com/guizhou-commerce/selection/workflows"
)

// New starts a temporaltest server (stopped when t ends) and registers the custom
// search attributes of DESIGN.md §4 on its namespace.
func New(t *testing.T) *temporaltest.TestServer {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := ts.GetDefaultClient().OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		SearchAttributes: workflows.SearchAttributeTypes,
		Namespace:        ts.GetDefaultNamespace(),
	}); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	return ts
}
