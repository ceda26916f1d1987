package temporalserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is the Temporal Web UI served in-process (assets are embedded in the
// ui-server module), the same way `temporal server start-dev` serves it.
type webUI struct {
	srv  *uiserver.Server
	url  string
	done chan struct{}
}

// startUI serves the UI on ip:port, talking to the frontend at frontend.
// It returns once the UI answers its health endpoint.
func startUI(ctx context.Context, ip string, port int, frontend, namespace string) (ui *webUI, err error) {
	// ui-server's Start logs fatally (exits the process) if it cannot
	// listen, so make sure it can before handing it the address.
	if err := checkPortFree(ip, port); err != nil {
		return nil, fmt.Errorf("UI address: %w", err)
	}
	defer func() {
		// NewServer panics on bad config rather than returning an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("build UI server: %v", r)
		}
	}()
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                ip,
		Port:                port,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		// The UI would otherwise fetch release news from the internet.
		DisableNewsFetch: true,
	}))
	ui = &webUI{
		srv:  srv,
		url:  "http://" + net.JoinHostPort(connectHost(ip), strconv.Itoa(port)),
		done: make(chan struct{}),
	}
	go func() {
		defer close(ui.done)
		_ = srv.Start() // blocks until Stop
	}()
	if err := waitHTTP(ctx, ui.url+"/healthz", ui.done); err != nil {
		ui.stop()
		return nil, fmt.Errorf("UI did not come up: %w", err)
	}
	return ui, nil
}

func (u *webUI) stop() {
	u.srv.Stop()
	select {
	case <-u.done:
	case <-time.After(5 * time.Second):
	}
}

// waitHTTP polls url until it answers 200, ctx ends, or exited closes.
func waitHTTP(ctx context.Context, url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("UI server exited")
		case <-tick.C:
		}
	}
}
