#!/usr/bin/env bash
# cmake --install into a temporary prefix, check the layout, then build
# tests/install/consumer.c against the installed tree twice, with pkg-config:
# against librill.so (pkg-config --cflags --libs rill) and against librill.a
# (pkg-config --static, with -l:librill.a so that the archive is used while
# the shared library sits beside it), and run both. Also checks that a
# program ignoring a RILL_NODISCARD status does not build with
# -Werror=unused-result.
#
# usage: install_consumer.sh CMAKE BUILD_DIR CC PKG_CONFIG LIBDIR INCLUDEDIR VERSION [CFLAGS]
#   LIBDIR, INCLUDEDIR: relative to the prefix (GNUInstallDirs); CFLAGS:
#   extra flags for compiling and linking (the sanitizers of the build).
set -euo pipefail
cmake=$1 build=$2 cc=$3 pkg_config=$4 libdir=$5 includedir=$6 version=$7 cflags=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rill-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" \
  || { cat "$tmp/install.log"; fail "cmake --install"; }

# Layout.
lib=$prefix/$libdir
inc=$prefix/$includedir/rill
major=${version%%.*}
for h in rill context sender receiver encoding endpoint export log metrics status version; do
  [ -f "$inc/$h.h" ] || fail "$includedir/rill/$h.h not installed"
done
[ -f "$lib/librill.so.$version" ] && [ ! -L "$lib/librill.so.$version" ] \
  || fail "$libdir/librill.so.$version not installed"
[ "$(readlink "$lib/librill.so.$major")" = "librill.so.$version" ] \
  || fail "$libdir/librill.so.$major is not a link to librill.so.$version"
[ "$(readlink "$lib/librill.so")" = "librill.so.$major" ] \
  || fail "$libdir/librill.so is not a link to librill.so.$major"
[ -f "$lib/librill.a" ] || fail "$libdir/librill.a not installed"
[ -f "$lib/pkgconfig/rill.pc" ] || fail "$libdir/pkgconfig/rill.pc not installed"
# roc-toolkit 0.4's API (librill-roc.so): the library under its own name,
# roc's names for it in lib/rill-roc/, roc's headers in include/rill-roc/roc/.
[ -f "$lib/librill-roc.so" ] || fail "$libdir/librill-roc.so not installed"
[ "$(readlink "$lib/rill-roc/libroc.so.0.4")" = ../librill-roc.so ] \
  || fail "$libdir/rill-roc/libroc.so.0.4 is not a link to ../librill-roc.so"
[ "$(readlink "$lib/rill-roc/libroc.so")" = libroc.so.0.4 ] \
  || fail "$libdir/rill-roc/libroc.so is not a link to libroc.so.0.4"
roc_inc=$prefix/$includedir/rill-roc
for h in config context endpoint frame log metrics packet platform receiver receiver_decoder \
  sender sender_encoder version; do
  [ -f "$roc_inc/roc/$h.h" ] || fail "$includedir/rill-roc/roc/$h.h not installed"
done
read -r -a roc_san <<<"$cflags"
"$cc" -std=c11 -Wall -Wextra -Werror "${roc_san[@]}" -I"$roc_inc" "$here/roc_consumer.c" \
  -L"$lib/rill-roc" -lroc -o "$tmp/roc_consumer" || fail "building against libroc.so"
roc_out=$(LD_LIBRARY_PATH=$lib/rill-roc "$tmp/roc_consumer" 2>&1) || fail "roc_consumer: $roc_out"
[ "$roc_out" = "roc 0.4.0
context: ok" ] || fail "roc_consumer printed: $roc_out"
echo "ok: roc consumer built with -lroc, run on $libdir/rill-roc/libroc.so.0.4"
# The PipeWire modules, when built (libpipewire-0.3-dev), go under the
# prefix too (modules/pipewire/CMakeLists.txt), and find librill.so.0 there.
for m in "$build"/modules/pipewire/libpipewire-module-rill-*.so; do
  [ -e "$m" ] || continue
  installed=$(find "$prefix" -name "$(basename "$m")")
  [ -n "$installed" ] || fail "$(basename "$m") not installed"
  found=$(LD_LIBRARY_PATH='' ldd "$installed" | awk -v l="librill.so.$major" '$1 == l { print $3 }')
  [ -n "$found" ] && [ "$(realpath "$found")" = "$(realpath "$lib/librill.so.$major")" ] ||
    fail "$installed does not find the installed librill.so.$major (ldd: '${found:-none}')"
done
extra=$(find "$prefix" -type f ! -path "$inc/*" ! -name 'librill.so.*' ! -name librill.a \
  ! -name rill.pc ! -name librill-roc.so ! -path "$roc_inc/roc/*" \
  ! -name 'libpipewire-module-rill-*.so')
[ -z "$extra" ] || fail "unexpected files installed: $extra"
echo "ok: layout ($includedir/rill/*.h, $libdir/librill.so.$version, .so.$major, .so, .a, pkgconfig/rill.pc)"

export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$("$pkg_config" --modversion rill)" = "$version" ] || fail "pkg-config --modversion rill"
read -r -a pc_cflags <<<"$("$pkg_config" --cflags rill)"
read -r -a pc_libs <<<"$("$pkg_config" --libs rill)"
read -r -a pc_static <<<"$("$pkg_config" --static --libs rill)"
read -r -a san <<<"$cflags"
warn=(-std=c11 -Wall -Wextra -Wpedantic -Wstrict-prototypes -Werror)

expected="rill $version (headers $version)
context: ok
own pool_alloc 42, limiter_init 7"

check_run() { # NAME BINARY [ENV...]
  local name=$1 bin=$2 out
  shift 2
  out=$(env "$@" "$bin" 2>&1) || fail "$name: exit status $?: $out"
  [ "$out" = "$expected" ] || fail "$name: output
$out
expected
$expected"
  echo "ok: $name"
}

# Shared.
"$cc" "${warn[@]}" "${san[@]}" "${pc_cflags[@]}" "$here/consumer.c" -o "$tmp/consumer_shared" \
  "${pc_libs[@]}" || fail "building against librill.so"
readelf -d "$tmp/consumer_shared" | grep -q "NEEDED.*\[librill.so.$major\]" \
  || fail "consumer_shared does not need librill.so.$major"
check_run "shared (pkg-config --cflags --libs rill)" "$tmp/consumer_shared" LD_LIBRARY_PATH="$lib"

# Static: librill.a instead of -lrill, and the private dependencies.
static_libs=()
for arg in "${pc_static[@]}"; do
  if [ "$arg" = "-lrill" ]; then static_libs+=(-l:librill.a); else static_libs+=("$arg"); fi
done
"$cc" "${warn[@]}" "${san[@]}" "${pc_cflags[@]}" "$here/consumer.c" -o "$tmp/consumer_static" \
  "${static_libs[@]}" || fail "building against librill.a (pkg-config --static)"
if readelf -d "$tmp/consumer_static" | grep -q 'NEEDED.*librill'; then
  fail "consumer_static needs librill.so: librill.a was not used"
fi
check_run "static (pkg-config --static, librill.a)" "$tmp/consumer_static"

# RILL_NODISCARD: ignoring the status of rill_context_open must not build.
cat >"$tmp/ignore.c" <<'C'
#include <rill/rill.h>
int main(void)
{
  struct rill_context *ctx;
  rill_context_open(NULL, &ctx);
  return 0;
}
C
if "$cc" -std=c11 -Werror=unused-result "${pc_cflags[@]}" -c "$tmp/ignore.c" -o "$tmp/ignore.o" \
  2>"$tmp/ignore.log"; then
  fail "a program that ignores rill_context_open's status builds with -Werror=unused-result"
fi
grep -q "unused-result\|warn_unused_result" "$tmp/ignore.log" \
  || { cat "$tmp/ignore.log"; fail "ignoring a status failed to build for another reason"; }
echo "ok: ignoring rill_context_open's status is an error with -Werror=unused-result"
echo "PASS: install"
