#!/usr/bin/env bash
# End-to-end latency by RTCP on loopback, against what the pipeline holds.
# rill-send -c -> rill-recv -c with defaults (5 ms packets, 100 ms target;
# --frame-len sets rill-recv's read period); for every rill-recv stats line
# with a session: e2e_latency_ns (capture at the sender to output by a
# read, from the sender's SR mapping) and the jitter buffer's measured
# latency_ns. rill-recv measures latency_ns after each read has taken its
# period out of the queue, and stamps the output at the start of the read,
# so on one host e2e should be latency + one read period + the network
# hop (about a millisecond through the sender's 1 ms send pump).
# Prints per line: e2e, latency, e2e - (latency + period); then the min
# and max of that residual: the accuracy figure. All on 127.0.0.1.
# Usage: bench/e2e_latency_run.sh [--build DIR] [--seconds S] [--frame-len MS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=out/build-release seconds=6 frame_ms=10
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --frame-len) frame_ms=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--seconds S] [--frame-len MS]" >&2; exit 2 ;;
  esac
done
# shellcheck source=/dev/null
. scripts/scratch.sh
"$build/tests/tools/wavgen" -o "$tmp/in.wav" --duration "$seconds" --freq 440
timeout -k 5 $((seconds + 20)) "$build/tools/rill-recv" -s rtp://127.0.0.1:0 -c rtcp://127.0.0.1:0 \
  --port-file "$tmp/port" -o "$tmp/out.wav" --oneshot --session-timeout 1s --duration $((seconds + 10))s \
  --frame-len "${frame_ms}ms" --stats-json "$tmp/recv.jsonl" --stats-interval 250ms 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.05; done
timeout -k 5 $((seconds + 10)) "$build/tools/rill-send" -i "$tmp/in.wav" \
  -s "rtp://127.0.0.1:$(sed -n 1p "$tmp/port")" -c "rtcp://127.0.0.1:$(sed -n 2p "$tmp/port")"
wait "${pids[0]}" || true
echo "command: bench/e2e_latency_run.sh --seconds $seconds --frame-len $frame_ms"
python3 - "$tmp/recv.jsonl" "$frame_ms" <<'PY'
import json, sys
period = float(sys.argv[2])
res = []
for line in open(sys.argv[1]):
    for s in json.loads(line)["session_metrics"]:
        if s["e2e_latency_ns"] <= 0:
            continue
        e2e, lat = s["e2e_latency_ns"] / 1e6, s["latency_ns"] / 1e6
        res.append(e2e - lat - period)
        print(f"e2e {e2e:8.3f} ms  latency {lat:8.3f} ms  residual {res[-1]:6.3f} ms")
if not res:
    sys.exit("no session line with an end-to-end latency")
print(f"residual e2e - (latency + {period:g} ms): min {min(res):.3f} ms, max {max(res):.3f} ms, "
      f"{len(res)} samples")
PY
