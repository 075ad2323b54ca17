package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/sqlite"
)

// storeFlags are the flags every command that opens the database shares.
type storeFlags struct {
	db      string
	dataDir string
	keyFile string
}

// register adds --db, --data-dir and --key-file to fs, with defaults from
// the environment.
func (sf *storeFlags) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&sf.dataDir, "data-dir", envOr(e, "HAVEN_DATA_DIR", "haven-data"), "folder for the embedded database and files (env HAVEN_DATA_DIR)")
	fs.StringVar(&sf.db, "db", e.getenv("HAVEN_DB"), "database: a SQLite file path or a postgres:// URL (env HAVEN_DB; default DATA_DIR/haven.db)")
	fs.StringVar(&sf.keyFile, "key-file", e.getenv("HAVEN_KEY_FILE"), "key file; created if missing (env HAVEN_KEY_FILE; default DATA_DIR/haven.keys)")
}

func envOr(e env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// app is an opened database, key file and service.
type app struct {
	store haven.Store
	keys  *keys.Keys
	svc   *haven.Service
	log   *slog.Logger
}

func (a *app) Close() error { return a.store.Close() }

// open opens (and migrates) the database and loads the key file.
func (sf *storeFlags) open(ctx context.Context, log *slog.Logger) (*app, error) {
	db := sf.db
	if db == "" {
		db = filepath.Join(sf.dataDir, "haven.db")
	}
	keyFile := sf.keyFile
	if keyFile == "" {
		keyFile = filepath.Join(sf.dataDir, "haven.keys")
	}
	var store haven.Store
	var err error
	if isPostgres(db) {
		store, err = postgres.Open(ctx, db)
	} else {
		if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
			return nil, err
		}
		store, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	k, created, err := keys.LoadOrCreate(keyFile)
	if err != nil {
		store.Close()
		return nil, err
	}
	if created {
		log.Info("created a new key file: keep it safe and back it up apart from the database", "path", keyFile)
	}
	blobs, err := attachments.New(filepath.Join(sf.dataDir, "attachments"), k)
	if err != nil {
		store.Close()
		return nil, err
	}
	svc := haven.NewService(store, k, k, log)
	svc.Blobs = blobs
	return &app{store: store, keys: k, svc: svc, log: log}, nil
}

// operator is the audit actor for commands run at the command line.
func operator() haven.Actor {
	name := "operator"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return haven.System("cli:" + name)
}

// parse parses flags, printing help to stdout for --help.
func parse(fs *flag.FlagSet, e env, args []string) error {
	fs.SetOutput(e.stderr)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return errHelp
	}
	if err != nil {
		return errUsage
	}
	return nil
}

// errHelp ends a command after printing its help: not a failure.
var errHelp = errors.New("help")

func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func newLogger(e env, format string) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(e.stderr, nil))
}

// dispatchSub runs the subcommand named by args[0] of the command group
// name: help on -h, --help or help (to standard output), and the help as a
// usage error when the subcommand is missing or unknown.
func dispatchSub(e env, name, help string, args []string, cmds map[string]func([]string) error) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, help)
		return errUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, help)
		return nil
	}
	if run, ok := cmds[args[0]]; ok {
		return run(args[1:])
	}
	fmt.Fprintf(e.stderr, "haven %s: unknown command %q\n\n%s", name, args[0], help)
	return errUsage
}
