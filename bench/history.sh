#!/usr/bin/env bash
# The history benchmark, with public tools only (GNU time, awk).
#
#   bench/history.sh [RUNS]      (default 3)
#
# 30 nightly archives of 10k objects (about 1% drifting each night): `driftlab history` of all of
# them against the sum of reading them (`driftlab check`, which reads each archive once, one after
# another, and does nothing else). Target: history at most 1.2x the reading.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
cargo build --release --quiet --bin driftlab --example generate
BIN=target/release/driftlab
GEN=target/release/examples/generate
WORK=${BENCH_DIR:-target/bench}/history30
[ -d "$WORK" ] || "$GEN" --out "$WORK" --objects 10000 --nights 30 >/dev/null

rm -f "$WORK"/*.times
for _ in $(seq "$RUNS"); do
  "$TIME" --quiet -f "%e %M" -a -o "$WORK/read.times" "$BIN" check "$WORK"/*.zip >/dev/null
  "$TIME" --quiet -f "%e %M" -a -o "$WORK/history.times" "$BIN" history "$WORK" >/dev/null
done
median() { sort -n -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
read_s=$(median 1 "$WORK/read.times"); history_s=$(median 1 "$WORK/history.times")
echo "driftlab history benchmark: $RUNS runs each, medians; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "reading the 30 archives one after another (driftlab check): ${read_s} s, peak $(( $(median 2 "$WORK/read.times" | cut -d. -f1) / 1024 )) MiB"
echo "driftlab history of the 30 archives:                        ${history_s} s, peak $(( $(median 2 "$WORK/history.times" | cut -d. -f1) / 1024 )) MiB"
echo "history / reading = $(awk -v a="$history_s" -v b="$read_s" 'BEGIN {printf "%.2f", a / b}')   (target <= 1.2)"
