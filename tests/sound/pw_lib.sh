# shellcheck shell=bash
# Helpers for tests that run their own PipeWire daemon; sourced after
# tests/interop/lib.sh (which gives $tmp, $pids, fail, free_udp_port, check).
#
# The daemon runs headless (../shared/peers/README.md): its own config, a
# private runtime directory (mode 700, XDG_RUNTIME_DIR and
# PIPEWIRE_RUNTIME_DIR), no D-Bus, no session manager (tests link ports with
# pw-link), a dummy driver clocking the graph and a null sink with monitor
# ports. PipeWire 0.3.65 loads modules by name only, from the directories in
# PIPEWIRE_MODULE_DIR: the build's modules are linked into $tmp/modules,
# which comes first.
#
# Sanitizer builds: the modules are instrumented, the daemon is not, so the
# sanitizer's runtime is preloaded into the daemon (PW_PRELOAD, from CMake).
# shellcheck source=tests/sound/sound_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sound_lib.sh"

# pw_setup MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]: the environment for the
# daemon and its clients (exported: pw-link, pw-record and the tools find
# the daemon through it).
pw_setup() {
  local build_dir=$1 system_dir=$2
  PW_PRELOAD=${3:-}
  need pipewire
  need pw-link
  need pw-cli
  mkdir -p -m 700 "$tmp/run"
  mkdir -p "$tmp/modules"
  local m
  for m in "$build_dir"/libpipewire-module-rill-*.so; do
    [ -e "$m" ] && ln -sf "$m" "$tmp/modules/"
  done
  export XDG_RUNTIME_DIR=$tmp/run PIPEWIRE_RUNTIME_DIR=$tmp/run
  export PIPEWIRE_MODULE_DIR=$tmp/modules:$system_dir
  export PIPEWIRE_REMOTE=pipewire-0
  unset PULSE_SERVER DBUS_SESSION_BUS_ADDRESS
}

# pw_conf FILE [MODULES [OBJECTS]]: write a daemon config with the base
# modules and objects (dummy driver "Dummy-Driver", null sink "null-sink"
# with monitor ports), plus the given context.modules and context.objects
# entries (SPA JSON text).
pw_conf() {
  cat >"$1" <<EOF
context.properties = {
    core.daemon = true
    core.name   = pipewire-0
    support.dbus = false
    default.clock.rate = 48000
    link.max-buffers = 16
    mem.allow-mlock = false
    log.level = 2
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
    audiotestsrc    = audiotestsrc/libspa-audiotestsrc
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-access args = { } }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
    ${2:-}
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = {
            factory.name    = support.node.driver
            node.name       = Dummy-Driver
            node.group      = pipewire.dummy
            priority.driver = 20000
        }
    }
    { factory = adapter
        args = {
            factory.name     = support.null-audio-sink
            node.name        = "null-sink"
            media.class      = "Audio/Sink"
            audio.position   = [ FL FR ]
            object.linger    = true
            node.group       = pipewire.dummy
            monitor.channel-volumes = true
            adapter.auto-port-config = { mode = dsp monitor = true control = false position = preserve }
        }
    }
    ${3:-}
]
EOF
}

# The stream properties a test node needs without a session manager: ports
# (adapter.auto-port-config) and the dummy driver's group.
PW_NODE_PROPS='node.group = pipewire.dummy adapter.auto-port-config = { mode = dsp monitor = false control = false position = preserve }'

# pw_source_module PORT LATENCY_MS STATS_FILE [MORE_ARGS]: the
# context.modules entry of a module-rill-source node "rill-src" receiving
# plain RTP on 127.0.0.1:PORT, its stats every 100 ms in STATS_FILE.
pw_source_module() {
  cat <<EOF
    { name = libpipewire-module-rill-source
        args = {
            local.ip = 127.0.0.1
            local.source.port = $1
            fec.code = disable
            sess.latency.msec = $2
            rill.stats.json = "$3"
            rill.stats.interval.msec = 100
            source.name = rill-src
            source.props = { $PW_NODE_PROPS }
            ${4:-}
        }
    }
EOF
}

# pw_start CONF: start the daemon (at real-time priority), wait until it
# answers (10 s at most). Sets pw_pid.
pw_start() {
  local conf=$1 _
  if [ -n "$PW_PRELOAD" ]; then
    LD_PRELOAD=$PW_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0:detect_leaks=1 \
      "${RT[@]}" pipewire -c "$conf" >"$tmp/pipewire.log" 2>&1 &
  else
    "${RT[@]}" pipewire -c "$conf" >"$tmp/pipewire.log" 2>&1 &
  fi
  pw_pid=$!
  pids+=("$pw_pid")
  for _ in $(seq 100); do
    kill -0 "$pw_pid" 2>/dev/null || { cat "$tmp/pipewire.log" >&2; fail "pipewire exited"; }
    if [ -S "$tmp/run/pipewire-0" ] && timeout -k 5 5 pw-cli info 0 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  cat "$tmp/pipewire.log" >&2
  fail "pipewire did not answer in 10 s"
}

# pw_stop: stop the daemon (TERM, then KILL after 5 s) and wait for it. In
# a sanitizer build, a report in the daemon's log (the modules run there:
# memory errors, leaks at exit, races) fails the test.
pw_stop() {
  kill -TERM "$pw_pid" 2>/dev/null || true
  timeout 5 tail --pid="$pw_pid" -f /dev/null 2>/dev/null || kill -KILL "$pw_pid" 2>/dev/null || true
  wait "$pw_pid" 2>/dev/null || true
  if grep -qE "(Address|Leak|Thread|UndefinedBehavior)Sanitizer|runtime error:" "$tmp/pipewire.log"; then
    cat "$tmp/pipewire.log" >&2
    fail "sanitizer report in the PipeWire daemon"
  fi
}

# pw_wait_port NAME: wait until the port NAME ("node:port") exists (10 s).
pw_wait_port() {
  local _ ports
  for _ in $(seq 100); do
    ports=$({ timeout -k 5 5 pw-link -o; timeout -k 5 5 pw-link -i; } 2>/dev/null || true)
    grep -qxF "$1" <<<"$ports" && return 0
    sleep 0.1
  done
  timeout -k 5 5 pw-link -io >&2 || true
  fail "no PipeWire port $1"
}

# pw_link OUT IN: link two ports (waits for both).
pw_link() {
  pw_wait_port "$1"
  pw_wait_port "$2"
  timeout -k 5 10 pw-link "$1" "$2" || fail "pw-link $1 $2"
}

# pw_unlink OUT IN
pw_unlink() {
  timeout -k 5 10 pw-link -d "$1" "$2" || fail "pw-link -d $1 $2"
}

# pw_record_start FILE: record the null sink's monitor at 48 kHz stereo
# s16 with pw-record (node "rec") until pw_record_stop, and return once
# the recording has run 0.3 s with its links in place (a link is active a
# cycle or more after pw-link returns). Sets rec_pid.
pw_record_start() {
  need pw-record
  timeout -k 5 -s INT 120 "${RT[@]}" pw-record -P "{ node.name = rec $PW_NODE_PROPS }" --rate 48000 \
    --channels 2 --format s16 "$1" >"$tmp/pw-record.log" 2>&1 &
  rec_pid=$!
  rec_file=$1
  pids+=("$rec_pid")
  pw_link null-sink:monitor_FL rec:input_FL
  pw_link null-sink:monitor_FR rec:input_FR
  record_catch_up "$1" $((48000 * 4))
}

# pw_record_stop: stop pw-record once it holds what was played before the
# call (record_stop).
pw_record_stop() {
  record_stop $((48000 * 4))
}

# pw_test_tone: the context.objects entry of PipeWire's audiotestsrc as node
# "test-tone" (a 440 Hz sine; ports test-tone:capture_1...).
pw_test_tone() {
  cat <<EOF
    { factory = adapter
        args = {
            factory.name     = audiotestsrc
            node.name        = test-tone
            media.class      = Audio/Source
            object.linger    = true
            $PW_NODE_PROPS
        }
    }
EOF
}

# pw_test_tone_start: once the daemon runs, make test-tone clocked by the
# graph (not its own timer: see the peers notes) and half scale.
pw_test_tone_start() {
  pw_wait_port test-tone:capture_1
  timeout -k 5 10 pw-cli set-param test-tone Props '{ live = false volume = 0.5 }' >/dev/null ||
    fail "pw-cli set-param test-tone"
}
