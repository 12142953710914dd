#!/usr/bin/env bash
# rill-send -c -> GStreamer's rtpbin: rtpbin's own RTCP parser must take
# rill's sender reports (it logs each "got SR packet: SSRC <rill's SSRC>"),
# its SDES (rtpbin posts application/x-rtp-source-sdes with rill's CNAME,
# "rill-XXXXXXXX@host") and, when rill-send exits, its BYE for that SSRC.
# Checks by GStreamer's debug log and bus messages, and rill-send's stats.
#
# usage: rill_rtcp_to_gst.sh RILL_SEND WAVGEN
set -euo pipefail
send=$1 wavgen=$2
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/stats_json.sh
. "$(dirname "$0")/../integration/stats_json.sh"
need gst-launch-1.0

timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --duration 2 --freq 440
port=$(free_udp_port pair)
rtcp=$((port + 1))

# rtpbin receiving RTP on PORT and RTCP on PORT+1, until it has had time
# for the whole stream and the BYE.
GST_DEBUG=rtpsession:5 GST_DEBUG_NO_COLOR=1 timeout -k 5 8 gst-launch-1.0 -m rtpbin name=rb \
  udpsrc address=127.0.0.1 port="$port" \
    caps="application/x-rtp,media=audio,clock-rate=44100,encoding-name=L16,channels=2,payload=10" \
  ! rb.recv_rtp_sink_0 \
  udpsrc address=127.0.0.1 port="$rtcp" ! rb.recv_rtcp_sink_0 \
  rb. ! rtpL16depay ! fakesink >"$tmp/gst.log" 2>&1 &
gst_pid=$!
pids+=("$gst_pid")
# rtpbin is up when its sources are bound (bounded wait).
for _ in $(seq 100); do
  ss -uln 2>/dev/null | grep -q "127.0.0.1:$rtcp " && break
  sleep 0.05
done

timeout -k 5 20 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$port" -c "rtcp://127.0.0.1:$rtcp" \
  --stats-json "$tmp/send.jsonl" 2>"$tmp/send.log" || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$gst_pid" || true # gst-launch runs until its timeout

ssrc=$(printf '%08x' "$(stats_json_value "$tmp/send.jsonl" ssrc)")
sent=$(stats_json_value "$tmp/send.jsonl" rtcp_sent)
srs=$(grep -c "got SR packet: SSRC $ssrc" "$tmp/gst.log" || true)
[ "$srs" -ge 3 ] || { tail -n 30 "$tmp/gst.log"; fail "rtpbin took $srs SRs of SSRC $ssrc (rill sent $sent)"; }
grep -Eq 'application/x-rtp-source-sdes, cname=\(string\)"?rill-[0-9a-f]{8}\\?@' "$tmp/gst.log" \
  || { grep -i sdes "$tmp/gst.log" | head; fail "rtpbin saw no SDES CNAME from rill"; }
grep -A1 "got BYE packet" "$tmp/gst.log" | grep -q "SSRC: $ssrc" \
  || fail "rtpbin saw no BYE for SSRC $ssrc"
echo "PASS: rill-send -c -> GStreamer rtpbin: $srs SRs and the CNAME of SSRC $ssrc, then its BYE"
