#!/usr/bin/env bash
# RTCP over loopback: rill-send -c -> rill-recv -c, the RTP through
# udp_relay dropping 5 % at random (RTCP goes straight). Checks by the two
# tools' --stats-json files, never by wall time:
#  - the receiver took the sender's reports and sent its own back;
#  - the session reported an end-to-end latency, at least the target
#    latency (what the jitter buffer holds) and below a second;
#  - the sender's metrics carry the receiver's report: its CNAME and
#    address, cumulative loss > 0 and no more than the relay dropped, and
#    jitter;
#  - the sender's BYE ended the session (sessions_bye 1, not a timeout: the
#    session timeout is 30 s and rill-recv --oneshot exits long before).
#
# usage: loopback_rtcp.sh RILL_SEND RILL_RECV WAVGEN WAVCHECK UDP_RELAY
set -euo pipefail
send=$1 recv=$2 wavgen=$3 relay=$5
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
recv_stat() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }

"$wavgen" -o "$tmp/in.wav" --duration 4 --freq 440

# The latest session line of rill-recv's stats that had a session (the
# final line has none: the BYE ended it).
last_session() {
  python3 - "$tmp/recv.jsonl" "$1" <<'PY'
import json, sys
value = None
for line in open(sys.argv[1]):
    obj = json.loads(line)
    if obj["session_metrics"]:
        value = obj["session_metrics"][0][sys.argv[2]]
print(value if value is not None else "none")
PY
}

timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 -c rtcp://127.0.0.1:0 --port-file "$tmp/port" \
  -o "$tmp/out.wav" --target-latency 200ms --oneshot --session-timeout 30s --duration 35s \
  --stats-json "$tmp/recv.jsonl" --stats-interval 250ms 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.05; done
[ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge 2 ] || fail "rill-recv did not report its ports"
rtp_port=$(sed -n 1p "$tmp/port")
rtcp_port=$(sed -n 2p "$tmp/port")

timeout -k 5 40 "$relay" --listen 127.0.0.1:0 --forward "127.0.0.1:$rtp_port" --loss 5 --seed 7 \
  --duration 30 --port-file "$tmp/relay_port" 2>"$tmp/relay.log" &
relay_pid=$!
pids+=("$relay_pid")
for _ in $(seq 100); do [ -s "$tmp/relay_port" ] && break; sleep 0.05; done
[ -s "$tmp/relay_port" ] || fail "udp_relay did not report its port"

timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$(cat "$tmp/relay_port")" \
  -c "rtcp://127.0.0.1:$rtcp_port" --stats-json "$tmp/send.jsonl" --stats-interval 500ms \
  2>"$tmp/send.log" || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }
kill -TERM "$relay_pid" 2>/dev/null || true
wait "$relay_pid" 2>/dev/null || true
cat "$tmp/relay.log"

dropped=$(grep -Eo "dropped=[0-9]+" "$tmp/relay.log" | tail -n 1 | cut -d= -f2)
[ "${dropped:-0}" -gt 10 ] || fail "the relay dropped only ${dropped:-0} packets: no point"

# Receiver: reports both ways, the session ended by BYE.
[ "$(recv_stat rtcp_received)" -ge 5 ] || fail "rill-recv took $(recv_stat rtcp_received) RTCP datagrams"
[ "$(recv_stat rtcp_sent)" -ge 5 ] || fail "rill-recv sent $(recv_stat rtcp_sent) reports"
[ "$(recv_stat rtcp_malformed)" -eq 0 ] || fail "rill-recv found malformed RTCP from rill-send"
[ "$(recv_stat sessions_bye)" -eq 1 ] || fail "sessions_bye $(recv_stat sessions_bye), expected 1"
[ "$(recv_stat sessions_rtcp_timeout)" -eq 0 ] || fail "a session ended by RTCP silence"
[ "$(recv_stat sessions)" -eq 0 ] || fail "the session outlived the BYE"

e2e=$(last_session e2e_latency_ns)
[ "$e2e" != none ] || fail "no session line in rill-recv's stats"
[ "$e2e" -ge 200000000 ] && [ "$e2e" -lt 1000000000 ] \
  || fail "end-to-end latency $e2e ns: expected the 200 ms target or more, under 1 s"

# Sender: the receiver's report (its last stats line before the final,
# where the receiver may already have been forgotten... it is not: 5 s).
send_stat() { stats_json_value "$tmp/send.jsonl" "$1" || fail "no $1 in rill-send's stats"; }
[ "$(send_stat rtcp_sent)" -ge 5 ] || fail "rill-send sent $(send_stat rtcp_sent) reports"
[ "$(send_stat receiver_count)" -eq 1 ] || fail "rill-send knows $(send_stat receiver_count) receivers"
cname=$(send_stat receivers.0.cname)
case "$cname" in rill-*@*) ;; *) fail "receiver CNAME '$cname'" ;; esac
[ "$(send_stat receivers.0.address)" = "127.0.0.1:$rtcp_port" ] \
  || fail "receiver address $(send_stat receivers.0.address), expected 127.0.0.1:$rtcp_port"
lost=$(send_stat receivers.0.cumulative_lost)
[ "$lost" -gt 0 ] && [ "$lost" -le "$dropped" ] \
  || fail "the receiver reported $lost lost, the relay dropped $dropped"
[ "$(send_stat receivers.0.jitter_ns)" -gt 0 ] || fail "no jitter in the receiver's report"
[ "$(send_stat receivers.0.e2e_latency_ns)" -gt 0 ] || fail "no latency in the receiver's report"
echo "PASS: RTCP loopback: e2e $((e2e / 1000)) us, receiver reported $lost lost of $dropped dropped," \
  "BYE ended the session"
