package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// HTTPOverhead compares one Update — a county delivering materials — sent through the
// API (a real listener, a signed token, echo's middleware, the campaign read from
// PostgreSQL) with the same Update sent by the SDK client, one at a time, interleaved
// so both see the same machine.
type HTTPOverhead struct {
	Persistence   string  `json:"persistence"`
	Samples       int     `json:"samples"`
	SDK           Latency `json:"sdk"`
	API           Latency `json:"api"`
	APIIdempotent Latency `json:"api_idempotency_key"`
	RatioP50      float64 `json:"api_over_sdk_p50"`
	RatioP95      float64 `json:"api_over_sdk_p95"`
	RatioP99      float64 `json:"api_over_sdk_p99"`
	// IdempotentP50 is the p50 of the keyed path over the SDK's: a key adds a
	// reservation and a completion in PostgreSQL.
	IdempotentP50 float64 `json:"api_idempotency_key_over_sdk_p50"`
}

// httpOverhead measures the warm-up campaign's cases, which are open for materials.
func (r *runner) httpOverhead(ctx context.Context, e *env, codes []string) (HTTPOverhead, error) {
	sh := e.shards[0]
	secret := []byte(rand.Text())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return HTTPOverhead{}, err
	}
	srv := &http.Server{
		Handler:           api.New(api.Config{JWTSecret: secret, Province: r.ref.province, Logger: slog.New(slog.DiscardHandler)}, sh.client, sh.store),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	apic := apiclient.New("http://"+l.Addr().String(), nil)
	counties := map[string]*apiclient.Client{}
	for _, c := range codes {
		tok, err := api.MintToken(secret, domain.RoleCounty, c, "bench-county-"+c, time.Hour)
		if err != nil {
			return HTTPOverhead{}, err
		}
		counties[c] = apic.WithToken(tok)
	}
	items := domain.Materials{"8": {Copies: domain.RequiredCopies}} // an optional item: the case stays complete

	viaSDK := func(ctx context.Context, county string) error {
		h, err := sh.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.CampaignID(r.ref.province, warmupYear), UpdateName: workflows.UpdateMaterials, UpdateID: uuid.NewString(),
			Args:         []any{workflows.MaterialsInput{Actor: countyActor(county), County: county, Items: items}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		var app readmodel.Application
		return h.Get(ctx, &app)
	}
	viaAPI := func(key bool) func(context.Context, string) error {
		return func(ctx context.Context, county string) error {
			if key {
				ctx = apiclient.WithIdempotencyKey(ctx, uuid.NewString())
			}
			_, err := counties[county].PutMaterials(ctx, warmupYear, county, api.MaterialsRequest{Items: items})
			return err
		}
	}
	paths := []func(context.Context, string) error{viaSDK, viaAPI(false), viaAPI(true)}
	samples := make([][]time.Duration, len(paths))
	warm := 5
	total := r.cfg.HTTPSamples + warm
	r.progress("%s: HTTP overhead: %d materials Updates per path, one at a time", e.name, r.cfg.HTTPSamples)
	for i := range total {
		county := codes[i%len(codes)]
		// Rotate which path goes first, so none always follows another's cache warm-up.
		for j := range paths {
			k := (i + j) % len(paths)
			start := time.Now()
			if err := paths[k](ctx, county); err != nil {
				return HTTPOverhead{}, fmt.Errorf("HTTP overhead, path %d, %s: %w", k, county, err)
			}
			if i >= warm {
				samples[k] = append(samples[k], time.Since(start))
			}
		}
	}
	if len(samples[0]) == 0 {
		return HTTPOverhead{}, errors.New("HTTP overhead: no samples")
	}
	h := HTTPOverhead{Persistence: e.persistence, Samples: r.cfg.HTTPSamples,
		SDK: summarize(samples[0]), API: summarize(samples[1]), APIIdempotent: summarize(samples[2])}
	h.RatioP50, h.RatioP95, h.RatioP99 = ratio(h.API.P50, h.SDK.P50), ratio(h.API.P95, h.SDK.P95), ratio(h.API.P99, h.SDK.P99)
	h.IdempotentP50 = ratio(h.APIIdempotent.P50, h.SDK.P50)
	r.progress("%s: HTTP overhead: p50 SDK %.1f ms, API %.1f ms (×%.2f), API with key %.1f ms", e.name, h.SDK.P50, h.API.P50, h.RatioP50, h.APIIdempotent.P50)
	return h, nil
}
