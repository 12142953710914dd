#!/usr/bin/env bash
# Runs the two examples against each other on 127.0.0.1: the receiver must
# report the sine's level (0.5 peak -> RMS 0.354) while the sender streams.
set -euo pipefail
send=$1 recv=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout -k 5 20 "$recv" rtp://127.0.0.1:0 4 >"$out" &
rpid=$!
for _ in $(seq 100); do grep -q '^port=' "$out" && break; sleep 0.05; done
port=$(sed -n 's/^port=//p' "$out")
[ -n "$port" ] || { echo "FAIL: receiver did not start"; exit 1; }
timeout -k 5 20 "$send" "rtp://127.0.0.1:$port" 3
wait "$rpid"
cat "$out"
# Second 3 is fully inside the stream (which starts ~0.1 s in and lasts 3 s).
rms=$(sed -n 's/^second=3 rms=\([0-9.]*\).*/\1/p' "$out")
awk -v r="$rms" 'BEGIN { exit !(r > 0.34 && r < 0.37) }' \
  || { echo "FAIL: RMS in second 3 is $rms, expected 0.354"; exit 1; }
grep -q "^second=4 .* lost=0" "$out" || { echo "FAIL: packets were lost on loopback"; exit 1; }
echo "PASS: examples"
