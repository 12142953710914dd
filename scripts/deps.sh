#!/usr/bin/env bash
# Install the Debian packages rill needs, only those missing.
# Usage: scripts/deps.sh            (sourced or run; needs root or sudo for installs)
set -euo pipefail

RILL_DEB_PACKAGES=(
  # build
  cmake make gcc pkg-config binutils
  # libraries
  libuv1-dev libspeexdsp-dev libopus-dev libsndfile1-dev libisal-dev
  # tests, sanitizers, fuzzing
  libcmocka-dev clang libclang-rt-14-dev python3
  # network namespaces and socket listings in tests (ip, ss; unshare is in util-linux)
  iproute2
  # interop peers (tests/interop)
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good ffmpeg
  # PipeWire modules and sound-device I/O (modules/pipewire, tests/sound):
  # headers, and the daemons and clients the tests start (headless)
  libpipewire-0.3-dev pipewire pipewire-bin libpulse-dev pulseaudio pulseaudio-utils
)

missing=()
for pkg in "${RILL_DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: all Debian packages present"
fi
