package temporalserver

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives/timestamp"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	toolschema "go.temporal.io/server/tools/common/schema"
	toolsql "go.temporal.io/server/tools/sql"
)

const (
	// dbFileName is the SQLite file inside Config.DataDir.
	dbFileName = "temporal.db"

	// Store names in the server's persistence config.
	defaultStore    = "default"
	visibilityStore = "visibility"

	// PostgreSQL schemas (namespaces inside the one database named by the
	// DSN). The main store and the visibility store each keep their own
	// schema_version table under the same database name, so they cannot
	// share a schema; search_path sends each store to its own.
	pgMainSchema       = "temporal"
	pgVisibilitySchema = "temporal_visibility"
)

// persistence is the storage part of the server config plus what Start needs
// to know about it.
type persistence struct {
	conf config.Persistence
	// release undoes what buildPersistence holds (the data dir lock).
	release func()
	// retention for a namespace Start registers.
	retention time.Duration
}

// buildPersistence prepares storage for cfg: the SQLite file (schema created
// on first use) or the PostgreSQL schemas (created and migrated on every
// start, which is a no-op once they are current).
func buildPersistence(cfg *Config, clusterName string, logger *slog.Logger) (*persistence, error) {
	if cfg.PostgresDSN != "" {
		return buildPostgres(cfg.PostgresDSN, logger)
	}
	return buildSQLite(cfg, clusterName)
}

func buildSQLite(cfg *Config, clusterName string) (*persistence, error) {
	sqlConf := &config.SQL{PluginName: sqliteplugin.PluginName}
	retention := 7 * 24 * time.Hour
	unlock := func() {}
	var err error
	if cfg.DataDir == "" {
		// The plugin creates the schema itself for in-memory databases.
		// A random name keeps two in-memory servers in one process apart
		// ("cache=shared" would otherwise join them).
		sqlConf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		sqlConf.DatabaseName = "selection-" + rand.Text()
		retention = 24 * time.Hour
	} else {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		if strings.ContainsAny(dir, "?#") {
			// The plugin builds a "file:<path>?<params>" URI.
			return nil, fmt.Errorf("data dir %q: '?' and '#' are not allowed", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		if unlock, err = lockDataDir(dir); err != nil {
			return nil, err
		}
		sqlConf.ConnectAttributes = map[string]string{"mode": "rwc"}
		sqlConf.DatabaseName = filepath.Join(dir, dbFileName)
		if err := ensureSQLiteSchema(sqlConf.DatabaseName); err != nil {
			unlock()
			return nil, err
		}
	}

	// Pre-create the namespace with its search attributes straight in the
	// database, as the CLI dev server does: the server then starts with them
	// in its namespace cache, so the first workflow can use them at once.
	// An existing namespace is left as it is (Start adds missing search
	// attributes through the operator service).
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, cfg.Namespace, false, cfg.SearchAttributes)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("namespace config: %w", err)
	}
	ns.Detail.Config.Retention = timestamp.DurationPtr(retention)
	if err := sqliteschema.CreateNamespaces(sqlConf, ns); err != nil {
		unlock()
		return nil, fmt.Errorf("create namespace %q: %w", cfg.Namespace, err)
	}

	return &persistence{
		conf: config.Persistence{
			DefaultStore:     defaultStore,
			VisibilityStore:  defaultStore,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{defaultStore: {SQL: sqlConf}},
		},
		retention: retention,
		release:   unlock,
	}, nil
}

// ensureSQLiteSchema creates the database file with the Temporal schema
// (execution and visibility tables) when it does not exist yet.
//
// Like the CLI dev server, an existing file is trusted to hold the schema
// and is never touched. Unlike it, the schema is built in a scratch file
// that is renamed into place only when complete: a process killed in the
// middle of the first start leaves no half-built temporal.db behind, which
// would otherwise be reused and break every later start.
func ensureSQLiteSchema(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("check database file: %w", err)
	}

	// Leftovers of an interrupted first start.
	if stale, err := filepath.Glob(path + ".init-*"); err == nil {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}

	tmp := path + ".init-" + rand.Text()
	if err := setupSQLiteSchemaFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("set up SQLite schema: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("set up SQLite schema: %w", err)
	}
	return nil
}

// setupSQLiteSchemaFile runs the server's own schema setup on a fresh file.
//
// It uses its own database/sql handle rather than the plugin: the plugin
// keeps every connection it opened for the life of the process, which would
// leave a handle on the scratch file after the rename.
func setupSQLiteSchemaFile(path string) error {
	// "sqlite" is the modernc.org/sqlite driver that the Temporal SQLite
	// plugin registers.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rwc")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := sqliteschema.SetupSchemaOnDB(execOnlyDB{db: db}); err != nil {
		return err
	}
	return db.Close()
}

// execOnlyDB is the part of sqlplugin.AdminDB that SetupSchemaOnDB uses
// (Exec). Any other method would panic on the nil embedded interface.
type execOnlyDB struct {
	sqlplugin.AdminDB
	db *sql.DB
}

func (e execOnlyDB) Exec(stmt string, args ...any) error {
	_, err := e.db.Exec(stmt, args...)
	return err
}

// buildPostgres sets up the Temporal main and visibility schemas in the
// database named by dsn and returns a config using the pgx driver.
func buildPostgres(dsn string, logger *slog.Logger) (*persistence, error) {
	base, err := parsePostgresDSN(dsn)
	if err != nil {
		return nil, err
	}
	mainConf := withSearchPath(base, pgMainSchema)
	// public stays on the visibility path: the visibility schema needs the
	// btree_gin extension, which may already be installed there.
	visConf := withSearchPath(base, pgVisibilitySchema+",public")

	toolLogger := serverLogger{l: logger}
	for _, s := range []struct {
		conf   *config.SQL
		schema string
		assets string
	}{
		{mainConf, pgMainSchema, "postgresql/v12/temporal"},
		{visConf, pgVisibilitySchema, "postgresql/v12/visibility"},
	} {
		if err := migratePostgres(s.conf, s.schema, s.assets, toolLogger); err != nil {
			return nil, fmt.Errorf("set up PostgreSQL schema %q: %w", s.schema, err)
		}
	}

	return &persistence{
		conf: config.Persistence{
			DefaultStore:     defaultStore,
			VisibilityStore:  visibilityStore,
			NumHistoryShards: 4,
			DataStores: map[string]config.DataStore{
				defaultStore:    {SQL: mainConf},
				visibilityStore: {SQL: visConf},
			},
		},
		retention: 7 * 24 * time.Hour,
		release:   func() {},
	}, nil
}

// migratePostgres does what temporal-sql-tool's "setup-schema -v 0.0" and
// "update-schema -d <versioned dir>" do, from the schema files embedded in
// the server module. Both steps are idempotent: setup only creates the
// version tables if missing, update applies only versions newer than the
// recorded one. So this runs on every start, and a server upgrade migrates
// the database.
func migratePostgres(conf *config.SQL, pgSchema, assets string, logger serverLogger) error {
	conn, err := toolsql.NewConnection(conf, logger)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	if err := conn.Exec(`CREATE SCHEMA IF NOT EXISTS "` + pgSchema + `"`); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := toolschema.NewSetupSchemaTask(conn, &toolschema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if err := toolschema.NewUpdateSchemaTask(conn, &toolschema.UpdateConfig{DBName: conf.DatabaseName, SchemaName: assets}, logger).Run(); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return nil
}

// parsePostgresDSN turns a postgres:// URL into the server's SQL config.
// Query parameters (sslmode, ...) become connect attributes; search_path is
// replaced by the store's own schema. The pgx keyword/value form
// ("host=... dbname=...") is not accepted.
func parsePostgresDSN(dsn string) (*config.SQL, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("PostgresDSN must be a URL like postgres://user:password@host:5432/dbname?sslmode=disable")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return nil, errors.New("PostgresDSN has no database name")
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1:5432"
	} else if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	conf := &config.SQL{
		PluginName:        postgresql.PluginNamePGX,
		DatabaseName:      db,
		ConnectAddr:       host,
		ConnectProtocol:   "tcp",
		ConnectAttributes: map[string]string{},
		MaxConns:          20,
		MaxIdleConns:      20,
		MaxConnLifetime:   time.Hour,
	}
	if u.User != nil {
		conf.User = u.User.Username()
		conf.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		// pool_* are pgxpool settings, not server parameters: the server
		// would reject them as unknown.
		if len(v) > 0 && k != "search_path" && !strings.HasPrefix(k, "pool_") {
			conf.ConnectAttributes[k] = v[0]
		}
	}
	return conf, nil
}

func withSearchPath(base *config.SQL, path string) *config.SQL {
	c := *base
	c.ConnectAttributes = make(map[string]string, len(base.ConnectAttributes)+1)
	for k, v := range base.ConnectAttributes {
		c.ConnectAttributes[k] = v
	}
	c.ConnectAttributes["search_path"] = path
	return &c
}
