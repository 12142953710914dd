#!/usr/bin/env bash
# GStreamer's rtpbin sends L16 RTP with RTCP (SR + SDES every few seconds,
# a BYE at the end of the stream) to rill-recv -c. Checks, by rill-recv's
# --stats-json: every RTCP datagram parsed (none malformed, none unmatched:
# rtpbin sends RTCP from another socket than RTP, on the same host), and the
# session ended by the BYE (sessions_bye 1, with a 30 s session timeout and
# rill-recv --oneshot exiting long before it).
#
# usage: gst_rtcp_to_rill.sh RILL_RECV
set -euo pipefail
recv=$1
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/stats_json.sh
. "$(dirname "$0")/../integration/stats_json.sh"
need gst-launch-1.0
stat() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }

timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 -c rtcp://127.0.0.1:0 --port-file "$tmp/port" \
  -o "$tmp/out.wav" --target-latency 300ms --oneshot --session-timeout 30s --duration 30s \
  --stats-json "$tmp/recv.jsonl" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.05; done
[ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge 2 ] || fail "rill-recv did not report its ports"
rtp=$(sed -n 1p "$tmp/port") rtcp=$(sed -n 2p "$tmp/port")

# 6 s of a sine (rtpL16pay cuts it into ~760 packets of its MTU): rtpbin's
# first report comes at a randomised time a few seconds in (RFC 3550's
# interval around its 5 s minimum), and a 3 s stream once carried only the
# BYE when two tests ran side by side. -e: end of stream on the last
# buffer, where rtpbin says BYE. GStreamer 1.22's
# rtpsession sometimes sends that BYE but never pushes EOS after it (its RTCP
# thread reschedules instead), and gst-launch then waits forever: so the
# receiver's exit on the BYE is what this waits for, and a gst-launch still
# running 5 s later is stopped, not counted against rill.
timeout -k 5 30 gst-launch-1.0 -e rtpbin name=rb \
  audiotestsrc num-buffers=300 samplesperbuffer=882 ! audioconvert \
  ! audio/x-raw,rate=44100,channels=2,format=S16BE ! rtpL16pay pt=10 ! rb.send_rtp_sink_0 \
  rb.send_rtp_src_0 ! udpsink host=127.0.0.1 port="$rtp" \
  rb.send_rtcp_src_0 ! udpsink host=127.0.0.1 port="$rtcp" sync=false async=false \
  >"$tmp/gst.log" 2>&1 &
gst_pid=$!
pids+=("$gst_pid")
wait "$recv_pid" || { cat "$tmp/recv.log" "$tmp/gst.log" >&2; fail "rill-recv failed"; }
for _ in $(seq 50); do kill -0 "$gst_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$gst_pid" 2>/dev/null; then
  echo "note: gst-launch-1.0 still running 5 s after rill-recv took its BYE; stopped"
  kill -TERM "$gst_pid" 2>/dev/null || true
  wait "$gst_pid" 2>/dev/null || true
else
  wait "$gst_pid" || { cat "$tmp/gst.log" >&2; fail "gst-launch-1.0 failed"; }
fi
cat "$tmp/recv.log"

[ "$(stat rtcp_received)" -ge 2 ] || fail "rill-recv took $(stat rtcp_received) RTCP datagrams"
[ "$(stat rtcp_malformed)" -eq 0 ] || fail "$(stat rtcp_malformed) of GStreamer's RTCP rejected"
[ "$(stat rtcp_unmatched)" -eq 0 ] || fail "$(stat rtcp_unmatched) of GStreamer's RTCP unmatched"
[ "$(stat sessions_created)" -eq 1 ] || fail "$(stat sessions_created) sessions"
[ "$(stat sessions_bye)" -eq 1 ] || fail "the BYE did not end the session"
[ "$(stat packets_played)" -gt 300 ] || fail "only $(stat packets_played) packets played"
echo "PASS: GStreamer rtpbin -> rill-recv -c: $(stat rtcp_received) RTCP datagrams, BYE ended the session"
