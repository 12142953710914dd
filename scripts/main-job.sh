#!/usr/bin/env bash
# Build rill and run its main job. Until the first stream exists this is the
# slab pool benchmark (see docs/BENCHMARKS.md).
# Usage: scripts/main-job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
mkdir -p out
cmake -S . -B out/build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo >out/build-release.configure.log
cmake --build out/build-release -j"$(nproc)" >out/build-release.build.log
out/build-release/bench/bench_pool
