#!/usr/bin/env bash
# What the built libraries show of themselves.
#
#   symbols.sh exported NM librill.a librill.so
#     Every defined global symbol of the installed static library and of the
#     shared library (its symbol table and its dynamic symbol table) starts
#     with rill_: internal functions (pool_alloc, receiver_create, ...) do
#     not leak into the programs that link rill.
#
#   symbols.sh hidden READELF librill_internal.a
#     The library objects are compiled with hidden visibility: the only
#     defined global symbols with default visibility are rill_* (the RILL_API
#     functions), the internal ones are hidden. The internal archive holds the
#     objects as compiled, so this checks the compile flag itself, which the
#     shared library and librill.a rely on.
#
# Offending symbols are listed; exit 1 on any.
set -euo pipefail
mode=$1
shift

failures=0
# check LABEL NAMES...: NAMES (one per line on stdin) must all start with
# rill_ and include rill_context_open (so that an empty listing fails too).
check() {
  local label=$1 names bad
  names=$(sort -u)
  if ! grep -qx 'rill_context_open' <<<"$names"; then
    echo "FAIL: $label: rill_context_open is not among the global symbols" >&2
    failures=$((failures + 1))
  fi
  bad=$(grep -v '^rill_' <<<"$names" || true)
  if [ -n "$bad" ]; then
    echo "FAIL: $label: $(wc -l <<<"$bad") global symbols without the rill_ prefix:" >&2
    sed 's/^/  /' <<<"$bad" >&2
    failures=$((failures + 1))
  else
    echo "ok: $label: $(wc -l <<<"$names") global symbols, all rill_*"
  fi
}

# nm lines are "ADDRESS TYPE NAME"; archive member headers and blank lines
# have fewer fields.
nm_names() { awk 'NF == 3 { print $3 }'; }

case "$mode" in
exported)
  nm=$1 archive=$2 shared=$3
  "$nm" -g --defined-only "$archive" | nm_names | check "$archive (nm -g)"
  "$nm" -g --defined-only "$shared" | nm_names | check "$shared (nm -g)"
  "$nm" -D --defined-only "$shared" | nm_names | check "$shared (nm -D)"
  ;;
hidden)
  readelf=$1 archive=$2
  # readelf -sW: Num: Value Size Type Bind Vis Ndx Name
  syms=$("$readelf" -sW "$archive" | awk '($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND"')
  awk '$6 == "DEFAULT" { print $8 }' <<<"$syms" | check "$archive (default visibility)"
  hidden=$(awk '$6 == "HIDDEN"' <<<"$syms" | wc -l)
  if [ "$hidden" -eq 0 ]; then
    echo "FAIL: $archive: no hidden symbol: is -fvisibility=hidden applied?" >&2
    failures=$((failures + 1))
  else
    echo "ok: $archive: $hidden internal global symbols, all hidden"
  fi
  ;;
*)
  echo "usage: symbols.sh exported NM ARCHIVE SHARED | hidden READELF ARCHIVE" >&2
  exit 2
  ;;
esac
exit $((failures > 0))
