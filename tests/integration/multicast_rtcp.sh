#!/usr/bin/env bash
# RTCP over multicast, in a network namespace of the test's own (only its
# loopback, up, with a multicast route): rill-send sends RTP and RTCP to the
# group 239.255.1.1, rill-recv joins it on 127.0.0.1 for both. Checks by
# the --stats-json files: the receiver took the sender's reports from the
# group and answered them (to the sender's unicast address), the sender
# knows that receiver, and the BYE ended the session. Skips (exit 77) where
# the machine does not allow a network namespace (not root).
#
# usage: multicast_rtcp.sh RILL_SEND RILL_RECV WAVGEN
set -euo pipefail
send=$1 recv=$2 wavgen=$3
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! unshare -n true 2>/dev/null; then
  echo "SKIP: no network namespace here (needs root / CAP_SYS_ADMIN)"
  exit 77
fi
"$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440

cat >"$tmp/inner.sh" <<INNER
set -euo pipefail
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
timeout -k 5 20 "$recv" -s rtp://239.255.1.1:41000 -c rtcp://239.255.1.1:41001 --miface 127.0.0.1 \\
  -o "$tmp/out.wav" --oneshot --session-timeout 10s --duration 15s \\
  --stats-json "$tmp/recv.jsonl" 2>"$tmp/recv.log" &
recv_pid=\$!
# rill-recv has joined once it listens on the control port (bounded wait).
for _ in \$(seq 100); do ss -uln | grep -q ':41001 ' && break; sleep 0.05; done
timeout -k 5 20 "$send" -i "$tmp/in.wav" -s rtp://239.255.1.1:41000 -c rtcp://239.255.1.1:41001 \\
  --stats-json "$tmp/send.jsonl" 2>"$tmp/send.log"
wait \$recv_pid
INNER
timeout -k 5 60 unshare -n bash "$tmp/inner.sh" \
  || { cat "$tmp/recv.log" "$tmp/send.log" >&2; fail "the streams in the namespace failed"; }

r() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }
s() { stats_json_value "$tmp/send.jsonl" "$1" || fail "no $1 in rill-send's stats"; }
[ "$(r packets_played)" -gt 400 ] || fail "only $(r packets_played) packets played from the group"
[ "$(r rtcp_received)" -ge 3 ] || fail "rill-recv took $(r rtcp_received) RTCP datagrams from the group"
[ "$(r rtcp_unmatched)" -eq 0 ] || fail "$(r rtcp_unmatched) of the group's RTCP unmatched"
[ "$(r rtcp_sent)" -ge 3 ] || fail "rill-recv sent $(r rtcp_sent) reports"
[ "$(r sessions_bye)" -eq 1 ] || fail "the BYE sent to the group did not end the session"
[ "$(s receiver_count)" -eq 1 ] || fail "rill-send knows $(s receiver_count) receivers"
[ "$(s receivers.0.cumulative_lost)" -eq 0 ] || fail "loss reported on loopback"
echo "PASS: RTCP over multicast: $(r rtcp_received) reports in, $(r rtcp_sent) out, BYE ended the session"
