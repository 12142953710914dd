# shellcheck shell=bash
# Helpers for tests that run their own PulseAudio daemon; sourced after
# tests/interop/lib.sh (which gives $tmp, $pids, fail, check, between).
#
# The daemon runs headless (../shared/peers/README.md): `pulseaudio -n
# --daemonize=no` with a private HOME and XDG_RUNTIME_DIR, only the native
# protocol and a null sink "null" (44.1 kHz stereo; its monitor is
# "null.monitor"), no D-Bus, no autospawn. The tools and pactl/parecord/
# paplay find it through XDG_RUNTIME_DIR.
# shellcheck source=tests/sound/sound_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sound_lib.sh"

# Under TSan (the tools are instrumented, libpulse is not): see the file.
export TSAN_OPTIONS="${TSAN_OPTIONS:-}${TSAN_OPTIONS:+:}suppressions=$(dirname "${BASH_SOURCE[0]}")/tsan-libpulse.supp"

# pa_start: start the daemon and wait until it answers (10 s). Sets pa_pid.
pa_start() {
  local _
  need pulseaudio
  need pactl
  mkdir -p -m 700 "$tmp/run" "$tmp/home"
  export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run
  unset PULSE_SERVER PULSE_RUNTIME_PATH DBUS_SESSION_BUS_ADDRESS
  pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-target=stderr \
    --load=module-native-protocol-unix --load="module-null-sink sink_name=null" \
    >"$tmp/pulseaudio.log" 2>&1 &
  pa_pid=$!
  pids+=("$pa_pid")
  for _ in $(seq 100); do
    kill -0 "$pa_pid" 2>/dev/null || { cat "$tmp/pulseaudio.log" >&2; fail "pulseaudio exited"; }
    timeout -k 5 5 pactl list short sinks 2>/dev/null | grep -q null && return 0
    sleep 0.1
  done
  cat "$tmp/pulseaudio.log" >&2
  fail "pulseaudio did not answer in 10 s"
}

# pa_record_start FILE: record null.monitor (44.1 kHz stereo s16 WAV)
# until pa_record_stop. Sets rec_pid.
pa_record_start() {
  need parecord
  timeout -k 5 -s INT 120 parecord -d null.monitor --rate 44100 --channels 2 \
    --format s16le --file-format=wav "$1" >"$tmp/parecord.log" 2>&1 &
  rec_pid=$!
  rec_file=$1
  pids+=("$rec_pid")
}

# pa_record_stop: stop parecord once it holds what was played before the
# call (record_stop).
pa_record_stop() {
  record_stop $((44100 * 4))
}
