#!/usr/bin/env bash
# PipeWire's own module-rtp-sink (0.3.65: L16 48 kHz stereo on PT 127,
# announced by SAP) -> rill-recv --sap, in a headless PipeWire daemon
# started here. rill-recv gets only the SAP address: no -s, no --encoding.
# It must learn PT 127 from the announcement, bind the announced port, and
# write PipeWire's audiotestsrc tone (440 Hz, volume 0.5): frequency 440
# +-2 Hz, at least 3 s of it, no gap inside the signal, SNR >= 25 dB against
# a sine (as sink_tone.sh), and no packet of an unknown payload type. When
# the daemon stops, the session ends (SAP deletion, or the packets stop)
# and rill-recv --oneshot exits.
#
# usage: sap_sink_to_rill.sh RILL_RECV WAVGEN WAVCHECK MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$4" "$5" "${6:-}"

sap_port=$(free_udp_port)
timeout -k 5 60 "$recv" --sap="127.0.0.1:$sap_port" -o "$tmp/out.wav" --rate 48000 \
  --target-latency 200ms --no-drift-compensation --oneshot --session-timeout 500ms \
  --duration 40s --stats-json "$tmp/recv.jsonl" --stats-interval 100ms -v \
  >"$tmp/recv.log" 2>&1 &
recv_pid=$!
pids+=("$recv_pid")
wait_bound "$recv_pid" "$sap_port" || { cat "$tmp/recv.log" >&2; fail "rill-recv --sap did not bind"; }
rtp_port=$(free_udp_port)

pw_conf "$tmp/pw.conf" "
    { name = libpipewire-module-rtp-sink
        args = {
            source.ip        = 127.0.0.1
            destination.ip   = 127.0.0.1
            destination.port = $rtp_port
            sap.ip           = 127.0.0.1
            sap.port         = $sap_port
            net.mtu          = 1280
            sess.name        = \"pw-sap-test\"
            audio.format     = \"S16BE\"
            audio.rate       = 48000
            audio.channels   = 2
            audio.position   = [ FL FR ]
            stream.props = { node.name = rtp-sink media.class = Audio/Sink $PW_NODE_PROPS }
        }
    }" "
    { factory = adapter
        args = {
            factory.name     = audiotestsrc
            node.name        = test-tone
            media.class      = Audio/Source
            object.linger    = true
            $PW_NODE_PROPS
        }
    }"
pw_start "$tmp/pw.conf"
pw_wait_port test-tone:capture_1
timeout -k 5 10 pw-cli set-param test-tone Props '{ live = false volume = 0.5 }' >/dev/null ||
  fail "pw-cli set-param test-tone"
pw_link test-tone:capture_1 rtp-sink:playback_FL
pw_link test-tone:capture_1 rtp-sink:playback_FR

# About 4 s of the tone (the sink sends packets of 5 to 7 ms here; the
# frames are counted below), then stop.
wait_json packets_received 700 "$tmp/recv.jsonl" 30
pw_unlink test-tone:capture_1 rtp-sink:playback_FL
pw_unlink test-tone:capture_1 rtp-sink:playback_FR
pw_stop
rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"
grep -q "session 'pw-sap-test' from 127.0.0.1: 127.0.0.1 port $rtp_port" "$tmp/recv.log" ||
  fail "rill-recv did not log the announced session"
# PipeWire sends a SAP deletion when it stops (seen every time with 0.3.65);
# a missed one would end the session by its timeout instead.
grep -q "session 'pw-sap-test' from 127.0.0.1 ended" "$tmp/recv.log" ||
  fail "the announced session did not end"
between "packets of an unknown payload type" "$(json_last unknown_payload_type "$tmp/recv.jsonl")" 0 0

timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 48000 --channels 2 --duration 3 --freq 440 \
  --amp 0.5
# SNR over the best 1 s: see check_tone in sound_lib.sh.
for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/out.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-duration 1 --min-snr 25
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((3 * 48000)) $((40 * 48000))
done
echo "PASS: PipeWire module-rtp-sink -> SAP -> rill-recv --sap: the tone, no --encoding"
