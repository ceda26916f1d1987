package temporalserver

import (
	"maps"
	"testing"
)

func TestParsePostgresDSN(t *testing.T) {
	c, err := parsePostgresDSN("postgres://sel:p%40ss%3Aw@db.local/selection?sslmode=disable&pool_max_conns=4&search_path=app")
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "sel" || c.Password != "p@ss:w" || c.ConnectAddr != "db.local:5432" || c.DatabaseName != "selection" {
		t.Errorf("got user %q password %q addr %q db %q", c.User, c.Password, c.ConnectAddr, c.DatabaseName)
	}
	if want := map[string]string{"sslmode": "disable"}; !maps.Equal(c.ConnectAttributes, want) {
		t.Errorf("attributes %v, want %v", c.ConnectAttributes, want)
	}
	v := withSearchPath(c, "temporal")
	if v.ConnectAttributes["search_path"] != "temporal" || c.ConnectAttributes["search_path"] != "" {
		t.Errorf("withSearchPath: %v, base %v", v.ConnectAttributes, c.ConnectAttributes)
	}

	for _, bad := range []string{"host=127.0.0.1 dbname=selection", "postgres://127.0.0.1:5432/", "mysql://x/y"} {
		if _, err := parsePostgresDSN(bad); err == nil {
			t.Errorf("parsePostgresDSN(%q) accepted", bad)
		}
	}
}

func TestSplitAddr(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ip      string
		port    int
		connect string
	}{
		{"127.0.0.1:7233", "127.0.0.1", 7233, "127.0.0.1"},
		{"localhost:0", "127.0.0.1", 0, "127.0.0.1"},
		{":7233", "0.0.0.0", 7233, "127.0.0.1"},
		{"[::]:7233", "::", 7233, "::1"},
	} {
		ip, port, err := splitAddr(tc.in)
		if err != nil || ip != tc.ip || port != tc.port || connectHost(ip) != tc.connect {
			t.Errorf("splitAddr(%q) = %q, %d, %v (connect %q)", tc.in, ip, port, err, connectHost(ip))
		}
	}
	for _, bad := range []string{"7233", "example.com:7233", "127.0.0.1:x", "127.0.0.1:70000"} {
		if _, _, err := splitAddr(bad); err == nil {
			t.Errorf("splitAddr(%q) accepted", bad)
		}
	}
}
