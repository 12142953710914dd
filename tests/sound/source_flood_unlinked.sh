#!/usr/bin/env bash
# The scenario rill exists for (roc-toolkit 0.4's receiver grew ~137 MB/min
# in PipeWire's module-roc-source when its node stopped being read): a
# libpipewire-module-rill-source node that nobody reads, flooded at 100x
# real time, must hold the PipeWire daemon's memory flat; linked again, it
# must play live audio and no stale audio.
#
#  1. The node is linked to the null sink and plays a short live stream, so
#     the receiver has had a session (memory touched once).
#  2. The node is unlinked: PipeWire stops calling process, nobody reads.
#     Once the module reports the receiver idle (rill's idle timeout, 1 s),
#     the daemon's RSS is the baseline.
#  3. flood_gen sends 34,500 packets/s (100x the 345/s of bench/flood_run.sh's
#     1x; 4 streams, a 440 Hz sine) for FLOOD_SECONDS (default 8). Asserted:
#     the receiver stays idle on every stats line of the flood and holds no
#     packet memory (used <= 1 MiB), and the daemon's RSS never exceeds the
#     baseline by more than 4 MiB (roc 0.4: about 2.3 MB more every second).
#  4. The node is linked again with pw-record on the sink's monitor, and a
#     live 2 s, 1 kHz tone is sent. The recording must hold that tone and
#     nothing else: 1000 +-2 Hz, 2 s of signal (give or take 10 ms), no gap,
#     SNR >= 20 dB against a 1 kHz sine (the graph's 44.1 -> 48 kHz
#     conversion delays it by a fraction of a sample, which bounds the SNR
#     at 23.7 dB at 1 kHz: see source_tone.sh); a burst of the flood's stale
#     440 Hz audio would add signal before the tone and break all of them. The
#     datagrams the kernel queued during the flood were discarded
#     (stale_datagrams_flushed > 0).
# No wall-time assertions: the figures are RSS and rill's counters.
# RSS_CSV=FILE keeps the RSS samples (seconds into the flood, KiB) for
# bench/pipewire_flood_run.sh.
#
# usage: source_flood_unlinked.sh RILL_SEND FLOOD_GEN WAVGEN WAVCHECK MODULE_DIR
#        SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
send=$1 gen=$2 wavgen=$3 wavcheck=$4
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$5" "$6" "${7:-}"
flood_s=${FLOOD_SECONDS:-8}
rss_csv=${RSS_CSV:-$tmp/rss.csv}
stats=$tmp/stats.jsonl

port=$(free_udp_port)
pw_conf "$tmp/pw.conf" "$(pw_source_module "$port" 100 "$stats")"
pw_start "$tmp/pw.conf"
timeout -k 5 30 "$wavgen" -o "$tmp/warm.wav" --rate 44100 --channels 2 --duration 1 --freq 440 \
  --amp 0.5
timeout -k 5 30 "$wavgen" -o "$tmp/tone.wav" --rate 44100 --channels 2 --duration 2 \
  --freq 1000 --amp 0.5
timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 48000 --channels 2 --duration 2 --freq 1000 \
  --amp 0.5

# 1. Live, linked.
pw_link rill-src:output_FL null-sink:playback_FL
pw_link rill-src:output_FR null-sink:playback_FR
timeout -k 5 30 "$send" -i "$tmp/warm.wav" -s "rtp://127.0.0.1:$port" || fail "rill-send failed"
wait_json packets_played 150 "$stats" 20

# 2. Unlinked: nobody reads; wait for idle.
pw_unlink rill-src:output_FL null-sink:playback_FL
pw_unlink rill-src:output_FR null-sink:playback_FR
wait_json idle_entries 1 "$stats" 20
wait_json idle 1 "$stats" 20
baseline=$(rss_kib "$pw_pid")
lines_before=$(wc -l <"$stats")

# 3. The flood, RSS sampled twice a second.
timeout -k 5 $((flood_s + 20)) "$gen" --dest "127.0.0.1:$port" --duration "$flood_s" \
  --pps 34500 --streams 4 >"$tmp/flood.log" 2>&1 &
gen_pid=$!
pids+=("$gen_pid")
echo "t_s,rss_kib" >"$rss_csv"
max=$baseline
for i in $(seq $((flood_s * 2 + 20))); do
  kill -0 "$gen_pid" 2>/dev/null || break
  rss=$(rss_kib "$pw_pid")
  echo "$(awk -v i="$i" 'BEGIN { printf "%.1f", i / 2 }'),$rss" >>"$rss_csv"
  [ "$rss" -gt "$max" ] && max=$rss
  sleep 0.5
done
wait "$gen_pid" || fail "flood_gen failed: $(cat "$tmp/flood.log")"
cat "$tmp/flood.log"
end=$(rss_kib "$pw_pid")
echo "daemon RSS: baseline $baseline KiB, max $max KiB during the flood, $end KiB after it"
between "daemon RSS growth during the flood (KiB)" $((max - baseline)) -1000000 4096
# Every stats line written during the flood: idle, nothing charged past 1 MiB.
tail -n +"$((lines_before + 1))" "$stats" | awk '
  { idle = ""; used = 0
    if (match($0, /"idle":[0-9]+/)) idle = substr($0, RSTART + 7, RLENGTH - 7)
    if (match($0, /"memory":\{"used_bytes":[0-9]+/)) used = substr($0, RSTART + 24, RLENGTH - 24)
    n++
    if (idle != "1") { print "FAIL: stats line " n " of the flood: idle = " idle; bad = 1 }
    if (used + 0 > 1048576) { print "FAIL: stats line " n ": " used " bytes charged while idle"; bad = 1 } }
  END { if (n < 1) { print "FAIL: no stats line during the flood"; bad = 1 }
        else print n " stats lines during the flood: idle, memory <= 1 MiB"
        exit bad }' || fail "the receiver nobody reads did not stay idle and empty"

# 4. Linked again: live audio, nothing stale.
pw_record_start "$tmp/rec.wav"
pw_link rill-src:output_FL null-sink:playback_FL
pw_link rill-src:output_FR null-sink:playback_FR
played=$(json_last packets_played "$stats")
timeout -k 5 30 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" \
  --stats-json "$tmp/send.jsonl" || fail "rill-send failed"
# Every packet of the tone played (rill-send's count is taken before its
# last, partial packet), then the tone's session is gone.
wait_json packets_played $((played + $(json_last packets_sent "$tmp/send.jsonl"))) "$stats" 20
wait_json sessions 0 "$stats" 20 0
pw_record_stop
check_tone "$tmp/rec.wav" "$tmp/ref.wav" 1000 20 $((96000 - 480)) $((96000 + 480))
between "stale datagrams flushed" "$(json_last stale_datagrams_flushed "$stats")" 1 1000000000
pw_stop
echo "PASS: a flooded node nobody reads holds the daemon's RSS (+$((max - baseline)) KiB);" \
  "linked again, live audio only"
