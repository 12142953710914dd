# Sourced by the integration tests: reading rill-send's and rill-recv's
# --stats-json files (JSON Lines) with a real JSON parser.

# stats_json_value FILE KEY: the value of KEY in the last line of FILE (a
# dotted path for nested members: memory.used_bytes, session_metrics.0.ssrc).
# Fails unless every line is one JSON object and the last has "final": true.
stats_json_value() {
  python3 - "$1" "$2" <<'PY'
import json, sys
path, key = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
if not lines:
    sys.exit(f"{path}: no stats line")
objects = []
for n, line in enumerate(lines, 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit(f"{path}:{n}: not JSON ({e}): {line[:200]}")
    if not isinstance(obj, dict):
        sys.exit(f"{path}:{n}: not a JSON object")
    objects.append(obj)
last = objects[-1]
if last.get("final") is not True:
    sys.exit(f"{path}: the last line is not the final one")
value = last
for part in key.split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(json.dumps(value) if isinstance(value, (dict, list, bool)) else value)
PY
}
