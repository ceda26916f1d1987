// Package testtemporal starts the in-process Temporal server of the tests with the
// product's search attributes registered, so every test sees the namespace production has.
package testtemporal

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"github.com/guizhou-commerce/selection/workflows"
)

// New starts a temporaltest server (stopped when t ends) and registers the custom
// search attributes of DESIGN.md §4 on its namespace. Options add to the server's.
func New(t *testing.T, opts ...temporaltest.TestServerOption) *temporaltest.TestServer {
	t.Helper()
	ts := temporaltest.NewServer(append([]temporaltest.TestServerOption{temporaltest.WithT(t)}, opts...)...)
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

// SuggestContinueAsNewAt makes the server suggest continue-as-new once a workflow's
// history has the given number of events, so tests see Temporal's suggestion without
// writing thousands of events.
func SuggestContinueAsNewAt(events int) temporaltest.TestServerOption {
	return temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
		dynamicconfig.HistoryCountSuggestContinueAsNew.Key(): events,
		// Replacing the client drops temporaltest's own setting, which the search
		// attributes registered at start need.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
	}))
}
