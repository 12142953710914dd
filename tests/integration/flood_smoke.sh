#!/usr/bin/env bash
# Flood smoke test: a few seconds of the flood benchmark (bench/flood_run.sh)
# as a CI check. It asserts on rill's own counters and budgets, as printed
# once a second by stalled_receiver, never on wall time or RSS:
#  1. a receiver nobody reads, with a 4 MiB context budget, under a 10x flood
#     of 4 streams: memory charged never exceeds the budget (every sample and
#     the peak), datagrams arrived, the overload shows in the counters
#     (socket pauses, budget refusals or queue drops), and the receiver went
#     idle;
#  2. fake senders (a new random SSRC in every packet, 10x) against a
#     receiver that reads: never more sessions than --max-sessions, and
#     refusals counted.
# All traffic stays on 127.0.0.1; every process is bounded by --duration
# and timeout.
#
# usage: flood_smoke.sh FLOOD_GEN STALLED_RECEIVER
set -euo pipefail
gen=$1 srecv=$2
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

# last CSV COLUMN: the value in the last line.
last() {
  awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
    { v = $k } END { if (!k) exit 1; print v }' "$1"
}

# check_all CSV EXPR MESSAGE: EXPR (awk, columns by name through col("x"))
# must hold on every sample.
check_all() {
  awk -F, -v expr_name="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    function col(n) { if (!(n in k)) { print "no column " n > "/dev/stderr"; exit 2 } return $k[n] + 0 }
    { if (!('"$2"')) { print "sample " NR - 1 " (t=" $1 "): " expr_name > "/dev/stderr"; bad = 1 } }
    END { exit bad }' "$1" || fail "$3"
}

# start_receiver NAME ARGS...: stalled_receiver in the background; sets port.
start_receiver() {
  local name=$1
  shift
  timeout -k 5 20 "$srecv" --port-file "$tmp/$name.port" "$@" >"$tmp/$name.csv" 2>"$tmp/$name.log" &
  pids+=($!)
  recv_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
  [ -s "$tmp/$name.port" ] || { cat "$tmp/$name.log" >&2; fail "$name: no port"; }
  port=$(cat "$tmp/$name.port")
}

# ---- 1: nobody reads, small budget, 10x flood of 4 streams ----
budget=$((4 * 1024 * 1024))
start_receiver stalled --mode never --max-mem 4M --duration 4
timeout -k 5 10 "$gen" --dest "127.0.0.1:$port" --pps 3450 --streams 4 --duration 3 \
  2>"$tmp/gen1.log" || { cat "$tmp/gen1.log" >&2; fail "flood_gen failed"; }
wait "$recv_pid" || { cat "$tmp/stalled.log" >&2; fail "stalled_receiver failed"; }
cat "$tmp/gen1.log"
column -s, -t "$tmp/stalled.csv" 2>/dev/null | cut -c1-250 || cat "$tmp/stalled.csv"

[ "$(last "$tmp/stalled.csv" mem_budget)" -eq "$budget" ] \
  || fail "context budget is $(last "$tmp/stalled.csv" mem_budget), expected $budget"
check_all "$tmp/stalled.csv" 'col("mem_used") <= col("mem_budget")' "memory used above the budget"
check_all "$tmp/stalled.csv" 'col("mem_peak") <= col("mem_budget")' "memory peak above the budget"
check_all "$tmp/stalled.csv" 'col("sock_peak") <= col("sock_budget")' "socket peak above its budget"
datagrams=$(last "$tmp/stalled.csv" datagrams)
[ "$datagrams" -gt 0 ] || fail "no datagram received"
pauses=$(last "$tmp/stalled.csv" socket_pauses)
dropped=$(last "$tmp/stalled.csv" packets_dropped)
no_memory=$(last "$tmp/stalled.csv" no_memory)
refused=$(last "$tmp/stalled.csv" mem_refused)
[ $((pauses + dropped + no_memory + refused)) -gt 0 ] \
  || fail "the overload left no trace: socket_pauses=$pauses packets_dropped=$dropped no_memory=$no_memory budget_refused=$refused"
[ "$(last "$tmp/stalled.csv" idle_entries)" -ge 1 ] || fail "a receiver nobody reads did not go idle"
# Once idle, nothing more is received (the port is held, not resumed by the
# memory retry timer) and the memory goes back: what stays charged is the
# receiver's fixed structures, well under 1 MiB.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
  $k["idle"] == 1 && !seen { seen = 1; d = $k["datagrams"]; next }
  seen { if ($k["datagrams"] > d) more = 1; used = $k["mem_used"] }
  END { if (!seen) { print "FAIL: never idle"; exit 1 }
        if (more) { print "FAIL: datagrams were received after the receiver went idle"; exit 1 }
        if (used > 1048576) { print "FAIL: " used " bytes still charged at the end, while idle"; exit 1 } }' \
  "$tmp/stalled.csv" || fail "idle receiver kept receiving or kept its memory"
echo "stalled: datagrams=$datagrams peak=$(last "$tmp/stalled.csv" mem_peak)/$budget" \
  "pauses=$pauses dropped=$dropped no_memory=$no_memory budget_refused=$refused"

# ---- 2: fake senders against a reading receiver ----
max_sessions=4
start_receiver fakes --mode read --max-sessions "$max_sessions" --duration 3
timeout -k 5 10 "$gen" --dest "127.0.0.1:$port" --pps 3450 --random-ssrc --duration 2.5 \
  2>"$tmp/gen2.log" || { cat "$tmp/gen2.log" >&2; fail "flood_gen failed"; }
wait "$recv_pid" || { cat "$tmp/fakes.log" >&2; fail "stalled_receiver failed"; }
cat "$tmp/gen2.log"
check_all "$tmp/fakes.csv" "col(\"sessions\") <= $max_sessions" "more sessions than --max-sessions"
check_all "$tmp/fakes.csv" 'col("mem_peak") <= col("mem_budget")' "memory peak above the budget"
[ "$(last "$tmp/fakes.csv" datagrams)" -gt 0 ] || fail "no datagram received"
created=$(last "$tmp/fakes.csv" sessions_created)
srefused=$(last "$tmp/fakes.csv" sessions_refused)
[ "$created" -ge 1 ] || fail "no session created"
[ "$srefused" -gt 0 ] || fail "no session refused under a fake-sender flood"
echo "fakes: sessions_created=$created sessions_refused=$srefused" \
  "rate_limited=$(last "$tmp/fakes.csv" sessions_rate_limited)"
echo "PASS: flood smoke"
