#!/usr/bin/env bash
# PipeWire's audiotestsrc (440 Hz sine, volume 0.5) -> libpipewire-module-rill-sink
# -> rill-recv -> file, in a headless PipeWire daemon started here. The
# sink streams L16 44.1 kHz (PT 10) to rill-recv on 127.0.0.1; the file
# must carry the tone on both channels: frequency 440 +-2 Hz, at least 3 s
# of it, no gap inside the signal, SNR >= 25 dB against a sine (the graph
# runs at 48 kHz: the same fractional-lag bound as source_tone.sh). The
# module's counters (rill.stats.json) show packets sent and none dropped.
#
# usage: sink_tone.sh RILL_RECV WAVGEN WAVCHECK MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$4" "$5" "${6:-}"

timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
  --target-latency 200ms --no-drift-compensation --oneshot --session-timeout 500ms \
  --duration 30s >"$tmp/recv.log" 2>&1 &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")

pw_conf "$tmp/pw.conf" "
    { name = libpipewire-module-rill-sink
        args = {
            remote.ip = 127.0.0.1
            remote.source.port = $port
            fec.code = disable
            rill.stats.json = \"$tmp/stats.jsonl\"
            rill.stats.interval.msec = 100
            sink.name = rill-snk
            sink.props = { $PW_NODE_PROPS }
        }
    }" "$(pw_test_tone)"
pw_start "$tmp/pw.conf"
pw_test_tone_start
pw_link test-tone:capture_1 rill-snk:playback_FL
pw_link test-tone:capture_1 rill-snk:playback_FR

# 4 s of the tone on both channels, counted in packets sent (5 ms each)
# from the second link on (pw-link may take a while to start on a loaded
# machine: the first channel's link is that much earlier), then it stops.
sent=$(json_last packets_sent "$tmp/stats.jsonl")
wait_json packets_sent $((${sent:-0} + 800)) "$tmp/stats.jsonl" 30
pw_unlink test-tone:capture_1 rill-snk:playback_FL
pw_unlink test-tone:capture_1 rill-snk:playback_FR
pw_stop
# rill-recv ends half a second after the last packet (--oneshot).
rc=0
wait "$recv_pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/recv.log" >&2; fail "rill-recv exited $rc"; }

timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 44100 --channels 2 --duration 3 --freq 440 \
  --amp 0.5
# 4 s of tone less 50 ms: the unlink lands within a graph cycle or two of
# the 800th packet (seen 50 frames short of 4 s on a loaded 2-core machine).
check_tone "$tmp/out.wav" "$tmp/ref.wav" 440 25 $((4 * 44100 - 2205)) $((30 * 44100))
between "packets dropped by the sink" "$(json_last packets_dropped "$tmp/stats.jsonl")" 0 0
echo "PASS: audiotestsrc -> module-rill-sink -> rill-recv: the tone"
