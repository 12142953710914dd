#!/usr/bin/env bash
# rill-send -> libpipewire-module-rill-source -> null sink, in a headless
# PipeWire daemon started here: the null sink's monitor, recorded with
# pw-record at 48 kHz, must carry the 3 s, 440 Hz tone rill-send sent at
# 44.1 kHz on both channels: frequency 440 +-2 Hz, no gap inside the
# signal, all of it (3 s, less at most 10 ms), SNR >= 25 dB against a
# 48 kHz sine. (PipeWire converts the node's 44.1 kHz to the graph's 48 kHz,
# which delays the signal by a fraction of a sample that wavcheck's integer
# lag cannot follow: half a sample at 440 Hz bounds the SNR at 30.8 dB. A
# wrong rate, a gap or a glitch falls far below.)
# The module's counters (rill.stats.json) must show one session, every
# packet received played, none lost or late.
#
# usage: source_tone.sh RILL_SEND WAVGEN WAVCHECK MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$4" "$5" "${6:-}"

port=$(free_udp_port)
pw_conf "$tmp/pw.conf" "$(pw_source_module "$port" 200 "$tmp/stats.jsonl")"
pw_start "$tmp/pw.conf"
pw_link rill-src:output_FL null-sink:playback_FL
pw_link rill-src:output_FR null-sink:playback_FR
pw_record_start "$tmp/rec.wav"

timeout -k 5 30 "$wavgen" -o "$tmp/tone.wav" --rate 44100 --channels 2 --duration 3 --freq 440 \
  --amp 0.5
timeout -k 5 30 "$wavgen" -o "$tmp/ref48.wav" --rate 48000 --channels 2 --duration 3 \
  --freq 440 --amp 0.5
timeout -k 5 30 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" \
  --stats-json "$tmp/send.jsonl" || fail "rill-send failed"
# rill-send's last line is taken before the last, partly filled packet goes.
sent=$(json_last packets_sent "$tmp/send.jsonl")

# The session ends 2 s after the last packet (session timeout) once all of
# it was played: then the recording holds everything.
wait_json sessions_removed 1 "$tmp/stats.jsonl" 20
pw_record_stop

check_tone "$tmp/rec.wav" "$tmp/ref48.wav" 440 25 $((144000 - 480)) $((144000 + 480))
between "sessions created" "$(json_last sessions_created "$tmp/stats.jsonl")" 1 1
between "packets received" "$(json_last packets_received "$tmp/stats.jsonl")" "$sent" $((sent + 1))
between "packets played" "$(json_last packets_played "$tmp/stats.jsonl")" "$sent" $((sent + 1))
between "packets lost" "$(json_last packets_lost "$tmp/stats.jsonl")" 0 0
between "packets late" "$(json_last packets_late "$tmp/stats.jsonl")" 0 0
pw_stop
echo "PASS: rill-send -> module-rill-source -> null sink: the tone, whole"
