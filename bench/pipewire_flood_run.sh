#!/usr/bin/env bash
# The seed scenario at full length: a libpipewire-module-rill-source node
# that nobody reads (unlinked) in a headless PipeWire daemon, flooded at
# 100x real time (34,500 packets/s, 4 streams) for 60 s; the daemon's RSS
# sampled twice a second. Runs tests/sound/source_flood_unlinked.sh
# (which also asserts: idle on every stats line, RSS within 4 MiB of its
# baseline, live audio and no stale audio when linked again) with
# FLOOD_SECONDS and keeps its RSS samples in out/bench/pipewire/rss.csv;
# prints baseline, max, end and the least-squares slope.
#
# usage: bench/pipewire_flood_run.sh [--build DIR] [--seconds N]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$ROOT/out/build-release
seconds=60
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--seconds N]" >&2; exit 2 ;;
  esac
done
out=$ROOT/out/bench/pipewire
mkdir -p "$out"
FLOOD_SECONDS=$seconds RSS_CSV=$out/rss.csv \
  bash "$ROOT/tests/sound/source_flood_unlinked.sh" "$build/tools/rill-send" \
  "$build/bench/flood_gen" "$build/tests/tools/wavgen" "$build/tests/tools/wavcheck" \
  "$build/modules/pipewire" "$(pkg-config --variable=moduledir libpipewire-0.3)" |
  tee "$out/run.log"
awk -F, 'BEGIN { n = 0 } NR == 1 { next }
  { t[n] = $1; r[n] = $2; n++; if ($2 > max) max = $2 }
  END {
    for (i = 0; i < n; i++) { st += t[i]; sr += r[i] }
    mt = st / n; mr = sr / n
    for (i = 0; i < n; i++) { num += (t[i] - mt) * (r[i] - mr); den += (t[i] - mt) ^ 2 }
    printf "samples %d | RSS first %d KiB, max %d KiB, last %d KiB | slope %.2f KiB/s\n",
      n, r[0], max, r[n - 1], den ? num / den : 0 }' "$out/rss.csv" | tee "$out/summary.txt"
