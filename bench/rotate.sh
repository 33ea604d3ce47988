#!/usr/bin/env bash
# The cost of verifying archives before rotation counts them, with public tools only (GNU time,
# awk).
#
#   bench/rotate.sh [RUNS]      (default 3)
#
# 30 nightly archives of 10k objects. `driftlab rotate --retain-count 30 --dry-run` must verify
# all 30 (each read whole once: every entry decompressed, parsed, counted); next to it the floor
# read of the same 30 archives (bench/floor/, plain serde_json: decompress and parse every JSON entry with
# serde_json, nothing else), and `--retain-count 1`, which verifies the newest alone and lets the
# other 29 go unread.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
cargo build --release --quiet --bin driftlab --example generate
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --manifest-path bench/floor/Cargo.toml --target-dir "$TARGET/floor"
BIN=$TARGET/release/driftlab
GEN=$TARGET/release/examples/generate
FLOOR=$TARGET/floor/release/driftlab-floor
WORK=${BENCH_DIR:-target/bench}/rotate30
[ -d "$WORK" ] || "$GEN" --out "$WORK" --objects 10000 --nights 30 >/dev/null

rm -f "$WORK"/*.times
for _ in $(seq "$RUNS"); do
  "$TIME" --quiet -f "%e %M" -a -o "$WORK/floor.times" "$FLOOR" "$WORK"/*.zip >/dev/null
  "$TIME" --quiet -f "%e %M" -a -o "$WORK/all.times" \
    "$BIN" rotate "$WORK" --retain-count 30 --dry-run >/dev/null
  "$TIME" --quiet -f "%e %M" -a -o "$WORK/one.times" \
    "$BIN" rotate "$WORK" --retain-count 1 --dry-run >/dev/null
done
median() { sort -n -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mib() { echo $(( $(median 2 "$1" | cut -d. -f1) / 1024 )); }
floor_s=$(median 1 "$WORK/floor.times"); all_s=$(median 1 "$WORK/all.times"); one_s=$(median 1 "$WORK/one.times")
echo "driftlab rotate benchmark: $RUNS runs each, medians; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "floor read of the 30 archives (decompress + parse):      ${floor_s} s, peak $(mib "$WORK/floor.times") MiB"
echo "rotate --retain-count 30 --dry-run (verifies all 30):     ${all_s} s, peak $(mib "$WORK/all.times") MiB"
echo "rotate --retain-count 1 --dry-run (verifies the newest):  ${one_s} s, peak $(mib "$WORK/one.times") MiB"
echo "verifying / floor = $(awk -v a="$all_s" -v b="$floor_s" 'BEGIN {printf "%.2f", a / b}')"
