// Package web holds Haven's web assets, embedded in the binary: the
// html/template templates of the staff pages and the static files (CSS, and
// vendored scripts) they use. internal/http parses and serves them.
package web

import "embed"

// Templates holds templates/*.html: layout.html defines the page shell, and
// each other file defines the "title" and "main" blocks of one page.
//
//go:embed templates
var Templates embed.FS

// Static holds static/: the stylesheet and the vendored scripts
// (see static/vendor/README.md). Paths start with "static/".
//
//go:embed static
var Static embed.FS
