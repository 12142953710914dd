#!/usr/bin/env bash
# Opus found by SAP: rill-send --encoding 96:opus/48000/2 --announce to a
# unicast SAP address on 127.0.0.1, rill-recv --sap there with no
# --encoding: the announcement (a=rtpmap:96 opus/48000/2, RFC 7587) maps
# the payload type to Opus and the tone plays (frequency, no gap, every
# packet played or concealed, none dropped).
#
# usage: sap_opus.sh RILL_SEND RILL_RECV WAVGEN WAVCHECK
set -euo pipefail
send=$1 recv=$2 wavgen=$3 wavcheck=$4
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3 --freq 440
sap=$(free_port)
rtp=$(free_port)
timeout -k 5 30 "$recv" --sap="127.0.0.1:$sap" -o "$tmp/out.wav" --rate 48000 --oneshot \
  --session-timeout 1s --duration 20s --stats-json "$tmp/recv.jsonl" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
# rill-recv listens for announcements once its SAP socket is bound.
for _ in $(seq 100); do ss -uln | grep -q "127.0.0.1:$sap " && break; sleep 0.05; done
timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$rtp" --encoding 96:opus/48000/2 \
  --announce="sap://127.0.0.1:$sap" 2>"$tmp/send.log" \
  || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }

r() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }
[ "$(r unknown_payload_type)" -le 5 ] || fail "$(r unknown_payload_type) packets of an unmapped type"
[ "$(r packets_played)" -ge 500 ] || fail "only $(r packets_played) Opus packets played"
[ "$(r packets_dropped)" -eq 0 ] || fail "$(r packets_dropped) packets dropped (mapped as PCM?)"
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 2 --max-gap-frames 2 \
  >"$tmp/check.txt" || { cat "$tmp/check.txt"; fail "audio check failed"; }
echo "PASS: Opus announced by SAP plays with no --encoding ($(r packets_played) packets)"
