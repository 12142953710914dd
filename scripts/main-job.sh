#!/usr/bin/env bash
# Build rill and run its main job: stream a 5 s, 440 Hz tone from rill-send to
# rill-recv over 127.0.0.1 with default settings, write the received audio
# to out/received.wav, and print the stats and an analysis of what arrived.
# Usage: scripts/main-job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
mkdir -p out
echo "=== build (out/build-release)"
cmake -S . -B out/build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo >out/build-release.configure.log
cmake --build out/build-release -j"$(nproc)" >out/build-release.build.log
bin=out/build-release

"$bin/tests/tools/wavgen" -o out/tone.wav --duration 5 --freq 440
rm -f out/recv.port
echo "=== rill-recv -s rtp://127.0.0.1:0 -o out/received.wav --oneshot -v"
timeout 60 "$bin/tools/rill-recv" -s rtp://127.0.0.1:0 --port-file out/recv.port \
  -o out/received.wav --oneshot --duration 30s -v &
recv_pid=$!
for _ in $(seq 100); do [ -s out/recv.port ] && break; sleep 0.05; done
port=$(cat out/recv.port)
echo "=== rill-send -i out/tone.wav -s rtp://127.0.0.1:$port -v"
timeout 60 "$bin/tools/rill-send" -i out/tone.wav -s "rtp://127.0.0.1:$port" -v
wait "$recv_pid"
echo "=== what arrived (out/received.wav against out/tone.wav)"
"$bin/tests/tools/wavcheck" out/received.wav --skip-leading-silence --freq 440 --freq-tol 1 \
  --ref out/tone.wav --min-snr 60 | grep -E "^(frames|leading_silence_frames|signal_frames|freq_hz|lag_frames|snr_db)=|wavcheck:"
