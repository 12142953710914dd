# Sourced by test and bench scripts: a scratch directory ($tmp) and a list
# of background processes ($pids) that are killed, and the directory
# removed, when the script exits, however it exits.
tmp=$(mktemp -d)
pids=()
scratch_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap scratch_cleanup EXIT
