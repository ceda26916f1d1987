// Package pgcluster runs a private PostgreSQL cluster under a data directory, for
// `selection run` on a machine whose PostgreSQL server binaries are installed but whose
// server is not running: the product still starts with one command.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cluster is a running private cluster.
type Cluster struct {
	dir     string
	port    int
	pgCtl   string
	asUser  []string // runuser prefix when running as root
	started bool     // this process started it, so it stops it
}

// Binaries finds initdb and pg_ctl on PATH or in Debian's /usr/lib/postgresql/*/bin,
// newest version first.
func Binaries() (initdb, pgCtl string, err error) {
	if i, err1 := exec.LookPath("initdb"); err1 == nil {
		if p, err2 := exec.LookPath("pg_ctl"); err2 == nil {
			return i, p, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if executable(i) && executable(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("initdb and pg_ctl not found (Debian: apt-get install postgresql)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&0o111 != 0
}

// Start initialises dir on first use and starts the cluster on a free loopback port
// (or finds it already running after a crash of the process that started it). As root
// it runs the server as the postgres user: PostgreSQL refuses to run as root.
func Start(ctx context.Context, dir string) (*Cluster, error) {
	initdb, pgCtl, err := Binaries()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, pgCtl: pgCtl}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root needs the postgres user to run PostgreSQL (it refuses root)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if out, err := c.run(ctx, initdb, "-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"); err != nil {
			return nil, fmt.Errorf("initdb %s: %v: %s (as root, the postgres user must be able to reach that directory)", dir, err, out)
		}
	}
	if port, ok := c.runningPort(); ok {
		c.port = port
		return c, c.waitReady(ctx)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", c.port, dir)
	if out, err := c.run(ctx, pgCtl, "-D", dir, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		return nil, fmt.Errorf("pg_ctl start: %v: %s (see %s)", err, out, filepath.Join(dir, "server.log"))
	}
	c.started = true
	return c, c.waitReady(ctx)
}

// runningPort reads the port of a server still running from postmaster.pid.
func (c *Cluster) runningPort() (int, bool) {
	if _, err := c.run(context.Background(), c.pgCtl, "-D", c.dir, "status"); err != nil {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", c.Addr(), time.Second)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("private PostgreSQL on %s does not answer: %w", c.Addr(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.asUser...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = os.TempDir() // runuser's user may not read the caller's working directory
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// Addr is host:port of the cluster.
func (c *Cluster) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)) }

// URL is the connection URL of a database on the cluster (trust auth, user postgres).
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", c.Addr(), database)
}

// Stop stops the cluster if this process started it.
func (c *Cluster) Stop() error {
	if !c.started {
		return nil
	}
	if out, err := c.run(context.Background(), c.pgCtl, "-D", c.dir, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}
