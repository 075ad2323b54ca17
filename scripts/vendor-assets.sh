#!/usr/bin/env bash
# vendor-assets.sh reproduces the front-end assets vendored under
# web/static/vendor/ from the npm registry, and checks them against the
# integrity hashes recorded in web/static/vendor/README.md. Haven serves them
# itself: no CDN, so the Content-Security-Policy can stay 'self'.
#
# Usage: scripts/vendor-assets.sh          # fetch, verify, copy
#        scripts/vendor-assets.sh --check  # fetch, verify, compare with the committed copy
set -euo pipefail

HTMX_VERSION=2.0.11
HTMX_INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==

root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null
tgz="htmx.org-$HTMX_VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$HTMX_INTEGRITY" ]; then
	echo "vendor-assets: htmx.org@$HTMX_VERSION integrity mismatch: got $got, want $HTMX_INTEGRITY" >&2
	exit 1
fi
tar xzf "$tgz"

dest="$vendor/htmx-$HTMX_VERSION.min.js"
if [ "${1:-}" = "--check" ]; then
	cmp package/dist/htmx.min.js "$dest"
	cmp package/LICENSE "$vendor/htmx-LICENSE.txt"
	echo "vendor-assets: web/static/vendor matches htmx.org@$HTMX_VERSION"
	exit 0
fi
mkdir -p "$vendor"
cp package/dist/htmx.min.js "$dest"
cp package/LICENSE "$vendor/htmx-LICENSE.txt"
echo "vendor-assets: wrote $dest"
