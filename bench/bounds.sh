#!/usr/bin/env bash
# Peak memory of hostile and large inputs, against the bounds docs/promises.md promises ("Bounded
# reading", "Bounded memory"), with public tools only (GNU time, python3 for the crafted inputs).
#
#   bench/bounds.sh
#
# Prints for each case: what it is, the decompressed size of the input, driftlab's exit status,
# its peak RSS, and the ratio of the two. Hostile inputs must be refused (exit 2) with a small
# peak; valid large ones must read, within about 2x their size plus 128 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin driftlab --example generate
BIN=target/release/driftlab
GEN=target/release/examples/generate
WORK=${BENCH_DIR:-target/bench/bounds}
mkdir -p "$WORK"

# Crafted inputs: an object holding N million `0,` values (zipped, it is tiny), a valid object of
# 900k values, and a List of 10k generated objects.
python3 - "$WORK" <<'PY'
import json, sys, zipfile, os
work = sys.argv[1]
def amplification(name, mib):
    values = "0," * (mib * 1024 * 1024 // 2)
    text = '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"p"},"x":[' + values + '0]}]}'
    with zipfile.ZipFile(os.path.join(work, name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("p/configmaps.json", text)
    return len(text)
sizes = {}
sizes["amp10.zip"] = amplification("amp10.zip", 10)
sizes["amp50.zip"] = amplification("amp50.zip", 50)
big = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big", "namespace": "p"}, "x": list(range(900_000))}
text = json.dumps(big)
open(os.path.join(work, "big-object.json"), "w").write(text)
sizes["big-object.json"] = len(text)
with open(os.path.join(work, "sizes"), "w") as f:
    for k, v in sizes.items():
        f.write(f"{k} {v}\n")
PY
[ -d "$WORK/list10k" ] || "$GEN" --out "$WORK/list10k" --objects 10000 --single-list --changes 1 >/dev/null
list=("$WORK"/list10k/*.json)
echo "list10k $(stat -c %s "${list[0]}")" >> "$WORK/sizes"

measure() { # label input-size-key command...
  local label=$1 key=$2; shift 2
  local status=0 file
  file="$WORK/$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '_')"
  "$TIME" --quiet -f "%M" -o "$file.rss" "$@" >/dev/null 2>"$file.err" || status=$?
  local kib size
  kib=$(tail -1 "$file.rss")
  size=$(awk -v k="$key" '$1 == k {print $2}' "$WORK/sizes")
  printf "%-48s %10.1f MiB in  exit %s  %8.1f MiB peak  %6.2fx\n" "$label" \
    "$(awk "BEGIN {print $size / 1048576}")" "$status" "$(awk "BEGIN {print $kib / 1024}")" \
    "$(awk "BEGIN {print $kib * 1024 / $size}")"
}

echo "driftlab bounds benchmark; $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
measure "check: 10 MiB of 0, in one object (refused)" amp10.zip "$BIN" check "$WORK/amp10.zip"
measure "diff: the same on both sides (refused)" amp10.zip "$BIN" diff "$WORK/amp10.zip" "$WORK/amp10.zip"
measure "check: 50 MiB of 0, in one object (refused)" amp50.zip "$BIN" check "$WORK/amp50.zip"
measure "check: a valid object of 900k values" big-object.json "$BIN" check "$WORK/big-object.json"
measure "check: one List of 10k objects" list10k "$BIN" check "${list[0]}"
measure "diff: two Lists of 10k objects" list10k "$BIN" diff --exit-zero "${list[@]}"
measure "check --max-bytes 1MiB /dev/zero (refused)" amp10.zip "$BIN" check --max-bytes 1MiB /dev/zero
