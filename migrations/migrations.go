// Package migrations holds Haven's database schema as goose SQL migrations,
// one folder per dialect, embedded into the binary.
//
// The two folders describe the same schema and move in step: a migration
// added to one is added, with the same number, to the other.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// SQLite is the migrations for SQLite (goose dialect "sqlite3").
var SQLite = sub("sqlite")

// Postgres is the migrations for PostgreSQL (goose dialect "postgres").
var Postgres = sub("postgres")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return f
}
