#!/usr/bin/env bash
# rill-send --announce -> PipeWire's own module-rtp-source (0.3.65), in a
# headless PipeWire daemon started here. module-rtp-source has no static
# port: it plays only what SAP announces. rill-send streams a 6 s, 440 Hz
# sine (L16 48 kHz stereo, PT 96) and announces it on the module's SAP
# address; the stream node the module creates (named after the session:
# --session-name) is linked to the null sink, whose monitor is recorded.
# The recording must carry the tone: 440 +-2 Hz, at least 3 s of it, no gap
# inside, SNR >= 18 dB against a sine: module-rtp-source steers its own
# resampler to hold its latency (measured: 439.98 Hz, -40 ppm), so a sine
# at one fixed alignment matches the 3 s reference to 22..25 dB only. When
# rill-send exits, its SAP deletion makes the module remove the node.
#
# usage: sap_rill_to_source.sh RILL_SEND WAVGEN WAVCHECK MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$4" "$5" "${6:-}"

sap_port=$(free_udp_port)
rtp_port=$(free_udp_port)
pw_conf "$tmp/pw.conf" "
    { name = libpipewire-module-rtp-source
        args = {
            sap.ip = 127.0.0.1
            sap.port = $sap_port
            sess.latency.msec = 100
            stream.props = { $PW_NODE_PROPS }
        }
    }"
pw_start "$tmp/pw.conf"
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --rate 48000 --channels 2 --duration 6 --freq 440 \
  --amp 0.5
pw_record_start "$tmp/rec.wav"

timeout -k 5 40 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$rtp_port" \
  --encoding 96:s16/48000/2 --announce="sap://127.0.0.1:$sap_port" --session-name rill-tone \
  -v 2>"$tmp/send.log" &
send_pid=$!
pids+=("$send_pid")
pw_link rill-tone:output_FL null-sink:playback_FL
pw_link rill-tone:output_FR null-sink:playback_FR
rc=0
wait "$send_pid" || rc=$?
cat "$tmp/send.log"
[ "$rc" -eq 0 ] || fail "rill-send exited $rc"
# The deletion removes the session's node (10 s at most).
gone=0
for _ in $(seq 100); do
  if ! timeout -k 5 5 pw-cli ls Node 2>/dev/null | grep -q 'node.name = "rill-tone"'; then
    gone=1
    break
  fi
  sleep 0.1
done
[ "$gone" -eq 1 ] || fail "module-rtp-source kept the node after the SAP deletion"
pw_record_stop
pw_stop

timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 48000 --channels 2 --duration 3 --freq 440 \
  --amp 0.5
# SNR over the best 1 s: see check_tone in sound_lib.sh.
for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/rec.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-duration 1 --min-snr 18
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((3 * 48000)) $((6 * 48000 + 4800))
done
echo "PASS: rill-send --announce -> PipeWire module-rtp-source: the tone, node removed on exit"
