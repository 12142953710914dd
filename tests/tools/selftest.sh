#!/usr/bin/env bash
# Self-test of the standalone test tools: wavgen makes signals with known
# properties (delay, gap, noise, truncation), wavcheck must measure them and
# pass or fail its thresholds accordingly (exit 0 / 1; 2 for usage errors);
# udp_relay must forward a burst losslessly at 0 % loss and drop exactly the
# count its documented generator predicts at 50 % loss.
#
# usage: selftest.sh WAVGEN WAVCHECK UDP_RELAY
set -u

WAVGEN=$1
WAVCHECK=$2
RELAY=$3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rill-tools-selftest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILURES=0
OUT=""

note_fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

gen() {
  "$WAVGEN" "$@" || note_fail "wavgen $* exited $?"
}

# check EXPECTED_EXIT ARGS...: run wavcheck, keep its output in OUT.
check() {
  local want=$1
  shift
  OUT=$("$WAVCHECK" "$@" 2>&1)
  local got=$?
  if printf '%s\n' "$OUT" | grep -qE 'Sanitizer|runtime error'; then
    note_fail "wavcheck $* hit a sanitizer report:"
    printf '%s\n' "$OUT" >&2
  elif [ "$got" != "$want" ]; then
    note_fail "wavcheck $* exited $got, expected $want; output:"
    printf '%s\n' "$OUT" >&2
  fi
}

val() {
  printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1
}

# expect KEY OP VALUE: numeric comparison of a value in OUT (OP: == >= <= > <).
expect() {
  local v
  v=$(val "$1")
  if [ -z "$v" ] || ! awk -v a="$v" -v b="$3" -v op="$2" 'BEGIN {
      if (op == "==") exit !(a + 0 == b + 0); if (op == ">=") exit !(a + 0 >= b + 0);
      if (op == "<=") exit !(a + 0 <= b + 0); if (op == ">") exit !(a + 0 > b + 0);
      if (op == "<") exit !(a + 0 < b + 0); exit 1 }'; then
    note_fail "expected $1 $2 $3, got '$v'"
  fi
}

expect_fail_reason() {
  if ! printf '%s\n' "$OUT" | grep -q "^wavcheck: FAIL .*$1"; then
    note_fail "expected a FAIL line mentioning '$1'; output:"
    printf '%s\n' "$OUT" >&2
  fi
}

R=$TMP/ref.wav

# --- reference: 440 Hz, 2 s, stereo, counter on channel 1 -------------------
gen -o "$R" --duration 2 --counter
check 0 "$R" --freq 440 --freq-tol 1 --ref "$R" --min-snr 90 --expect-lag 0 \
  --min-frames 88200 --max-frames 88200 --min-rms 0.3
expect frames == 88200
expect lag_frames == 0
expect snr_db ">=" 90
expect freq_hz ">=" 439
expect freq_hz "<=" 441
expect gain == 1
expect gap_frames == 0
# A frequency, length or level that is off must fail.
check 1 "$R" --freq 450 --freq-tol 1
expect_fail_reason "freq_hz="
check 1 "$R" --min-frames 88201
expect_fail_reason "frames=88200<88201"
check 1 "$R" --max-frames 88199
check 1 "$R" --min-rms 0.4
expect_fail_reason "rms="
# --freq2 puts a different tone on channel 2.
gen -o "$TMP/two.wav" --duration 2 --freq 440 --freq2 1000
check 0 "$TMP/two.wav" --channel 1 --freq 1000 --freq-tol 1
check 1 "$TMP/two.wav" --channel 0 --freq 1000 --freq-tol 1

# --- delayed by 1234 frames of leading silence ---------------------------------
gen -o "$TMP/delay.wav" --duration 2 --counter --delay-frames 1234
check 0 "$TMP/delay.wav" --ref "$R" --min-snr 90 --expect-lag 1234 --freq 440 \
  --skip-leading-silence
expect lag_frames == 1234
expect snr_db ">=" 90
expect overlap_frames == 88200
# The sine's first sample is 0, so silence ends one frame after the delay.
expect leading_silence_frames == 1235
# The counter channel aligns too, and a wrong expectation fails.
check 0 "$TMP/delay.wav" --ref "$R" --channel 1 --min-snr 90 --expect-lag 1234
check 1 "$TMP/delay.wav" --ref "$R" --expect-lag 0
expect_fail_reason "lag_frames=1234 not in 0"

# --- received late and truncated: joins 5000 frames in, 1.5 s long ------------
gen -o "$TMP/late.wav" --duration 1.5 --counter --delay-frames 700
check 0 "$TMP/late.wav" --ref "$R" --min-snr 90 --expect-lag 700
expect overlap_frames == 66150
# Cut the first 5000 frames: a negative lag, found on the counter channel
# (a pure tone alone is ambiguous by whole periods once no onset is visible).
"$WAVGEN" --raw --duration 2 --counter | tail -c +20001 > "$TMP/cut.raw"
check 0 "$TMP/cut.raw" --rate 44100 --channels 2 --ref "$R" --align-channel 1 \
  --min-snr 90 --expect-lag -5000
expect frames == 83200

# --- noise lowers the SNR -------------------------------------------------------
gen -o "$TMP/noise.wav" --duration 2 --counter --noise 0.01 --seed 7
check 0 "$TMP/noise.wav" --ref "$R" --min-snr 25 --expect-lag 0 --freq 440
expect snr_db ">=" 25
expect snr_db "<=" 40
check 1 "$TMP/noise.wav" --ref "$R" --min-snr 60
expect_fail_reason "snr_db="

# --- a 20 ms gap (882 frames of zeros) -------------------------------------------
gen -o "$TMP/gap.wav" --duration 2 --counter --delay-frames 300 --gap-at 0.5 --gap-len 0.02
check 0 "$TMP/gap.wav" --ref "$R" --max-gap-frames 1000 --expect-lag 300
expect gap_frames == 882
expect gap_count == 1
expect max_gap_frames == 882
expect snr_db "<" 25
check 1 "$TMP/gap.wav" --ref "$R" --max-gap-frames 100
expect_fail_reason "max_gap_frames=882>100"
check 1 "$TMP/gap.wav" --ref "$R" --min-snr 40
expect_fail_reason "snr_db="
# ...which --ignore-gaps leaves out of the SNR.
check 0 "$TMP/gap.wav" --ref "$R" --min-snr 90 --ignore-gaps
expect snr_db ">=" 90
expect snr_frames == $((83790 - 882))

# --- raw s16le through stdout and stdin -------------------------------------------
"$WAVGEN" --raw --duration 2 --counter --delay-frames 10 > "$TMP/sig.raw" ||
  note_fail "wavgen --raw exited $?"
check 0 --raw --rate 44100 --channels 2 "$TMP/sig.raw" --ref "$R" --min-snr 90 --expect-lag 10
expect frames == 88210
OUT=$("$WAVCHECK" --raw --rate 44100 --channels 2 --freq 440 - < "$TMP/sig.raw" 2>&1) ||
  note_fail "wavcheck on stdin failed: $OUT"
expect frames == 88210

# --- a phase jump (a sound server that skipped a cycle) ---------------------------
# Two 1.37 s tones back to back: 602.8 cycles each, so the sine's phase jumps
# by 0.2 of a period at the seam. A 2.5 s reference cannot match across it;
# its first second matches one side exactly (--ref-duration).
gen --raw --channels 1 --duration 1.37 -o "$TMP/half.raw"
cat "$TMP/half.raw" "$TMP/half.raw" > "$TMP/jump.raw"
gen --channels 1 --duration 2.5 -o "$TMP/ref-mono.wav"
check 1 --raw --rate 44100 --channels 1 "$TMP/jump.raw" --ref "$TMP/ref-mono.wav" --min-snr 25
check 0 --raw --rate 44100 --channels 1 "$TMP/jump.raw" --ref "$TMP/ref-mono.wav" --min-snr 90 \
  --ref-duration 1
expect ref_frames == 44101 # from its signal start: the sine's frame 0 is a zero
check 2 "$TMP/jump.raw" --raw --rate 44100 --channels 1 --ref-duration 1

# --- usage errors exit 2 ----------------------------------------------------------
"$WAVGEN" --duration 2 --bogus > /dev/null 2>&1
[ $? = 2 ] || note_fail "wavgen with an unknown option must exit 2"
"$WAVGEN" -o "$TMP/x.mp3" > /dev/null 2>&1
[ $? = 2 ] || note_fail "wavgen with an unknown extension must exit 2"
check 2 "$R" --freq abc
check 2 --raw "$TMP/sig.raw"
check 2 "$TMP/missing.wav"
"$RELAY" --listen 10.1.2.3:5000 --forward 127.0.0.1:5001 > /dev/null 2>&1
[ $? = 2 ] || note_fail "udp_relay with a non-loopback address must exit 2"

# --- udp_relay ---------------------------------------------------------------------
# relay_run ARGS...: one python3 process binds a sink, starts the relay on a
# free port (via --port-file), sends a burst of numbered datagrams, collects
# what arrives and checks the relay's counters against a model of its
# documented generator. Prints the relay's counter line.
relay_run() {
  python3 - "$RELAY" "$TMP" "$@" <<'PY'
import os, signal, socket, subprocess, sys, time

relay, tmp, count, seed, loss, reorder, dup = sys.argv[1:8]
count, seed = int(count), int(seed)
loss, reorder, dup = float(loss) / 100, float(reorder) / 100, float(dup) / 100
M = (1 << 64) - 1

def splitmix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)

state = splitmix64((seed + 0x9E3779B97F4A7C15) & M) or 1
def unit():
    global state
    x = state
    x ^= x >> 12
    x = (x ^ (x << 25)) & M
    x ^= x >> 27
    state = x
    return (((x * 0x2545F4914F6CDD1D) & M) >> 11) / float(1 << 53)

# Model (burst length 1): expected counters and the datagram order.
exp = dict(received=0, forwarded=0, dropped=0, reordered=0, duplicated=0)
order, held = [], None
for i in range(count):
    ul, ud, ur = unit(), unit(), unit()
    exp["received"] += 1
    if ul < loss:
        exp["dropped"] += 1
        continue
    copies = [i, i] if ud < dup else [i]
    if held is not None:
        order += copies + held
        exp["reordered"] += 1
        held = None
    elif ur < reorder:
        held = copies
    else:
        order += copies
if held is not None:
    order += held
exp["forwarded"] = len(order)
exp["duplicated"] = len(order) - (count - exp["dropped"])

sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
port_file = os.path.join(tmp, "relay.port")
if os.path.exists(port_file):
    os.unlink(port_file)
args = [relay, "--listen", "127.0.0.1:0", "--forward", "127.0.0.1:%d" % sink.getsockname()[1],
        "--port-file", port_file, "--seed", str(seed), "--loss", str(loss * 100),
        "--reorder", str(reorder * 100), "--duplicate", str(dup * 100),
        "--max-packets", str(count), "--duration", "5"]
proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 3
while not os.path.exists(port_file) and time.time() < deadline:
    time.sleep(0.01)
lport = int(open(port_file).read().split()[0])
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
got = []
def drain():
    while True:
        try:
            got.append(int.from_bytes(sink.recv(2048, socket.MSG_DONTWAIT)[:4], "big"))
        except BlockingIOError:
            return
# Paced and drained as we go, so that no socket buffer on the way overflows
# (the default rmem_max holds only a few hundred small datagrams).
for i in range(count):
    tx.sendto(i.to_bytes(4, "big") + bytes(60), ("127.0.0.1", lport))
    drain()
    if i % 10 == 9:
        time.sleep(0.001)
err = proc.communicate(timeout=10)[1]
sink.settimeout(0.3)
try:
    while True:
        got.append(int.from_bytes(sink.recv(2048)[:4], "big"))
except socket.timeout:
    pass
line = [l for l in err.splitlines() if l.startswith("received=")]
print(line[-1] if line else "no counters: " + err.strip())
counters = dict(kv.split("=") for kv in line[-1].split()) if line else {}
ok = proc.returncode == 0
for k, v in exp.items():
    if int(counters.get(k, -1)) != v:
        print("relay %s=%s, model says %d" % (k, counters.get(k), v), file=sys.stderr)
        ok = False
if got != order:
    print("sink got %d datagrams %s..., model order %s..." % (len(got), got[:12], order[:12]),
          file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
PY
}

# Lossless: every datagram of the burst arrives, in order.
RES=$(relay_run 200 1 0 0 0) || note_fail "udp_relay lossless: $RES"
[ "$RES" = "received=200 forwarded=200 dropped=0 reordered=0 duplicated=0 send_errors=0" ] ||
  note_fail "udp_relay lossless counters: $RES"
# 50 % loss, seed 42: the exact count of the documented generator, twice.
RES=$(relay_run 200 42 50 0 0) || note_fail "udp_relay 50% loss: $RES"
[ "$RES" = "received=200 forwarded=108 dropped=92 reordered=0 duplicated=0 send_errors=0" ] ||
  note_fail "udp_relay 50% loss, seed 42 counters: $RES"
RES2=$(relay_run 200 42 50 0 0) || note_fail "udp_relay 50% loss rerun: $RES2"
[ "$RES" = "$RES2" ] || note_fail "udp_relay not deterministic: '$RES' vs '$RES2'"
# Loss, reordering and duplication together match the model, order included.
RES=$(relay_run 300 9 10 20 10) || note_fail "udp_relay mixed impairments: $RES"

# SIGTERM ends the relay promptly and still prints the counters.
"$RELAY" --listen 127.0.0.1:0 --forward 127.0.0.1:9 --duration 30 2> "$TMP/relay.err" &
RELAY_PID=$!
sleep 0.2
kill -TERM "$RELAY_PID"
wait "$RELAY_PID"
RC=$?
[ "$RC" = 0 ] || note_fail "udp_relay after SIGTERM exited $RC"
grep -q '^received=0 forwarded=0 dropped=0' "$TMP/relay.err" ||
  note_fail "udp_relay after SIGTERM printed: $(cat "$TMP/relay.err")"

if [ "$FAILURES" -ne 0 ]; then
  echo "tools selftest: $FAILURES failure(s)" >&2
  exit 1
fi
echo "tools selftest: OK"
