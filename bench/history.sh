#!/usr/bin/env bash
# The history benchmark, with public tools only (GNU time, awk).
#
#   bench/history.sh [RUNS]      (default 3)
#
# 30 nightly archives of 10k objects (about 1% drifting each night). Prints, measured in this run:
#   - `driftlab history` of all 30 against the floor read of the same archives (bench/floor/:
#     inflate and parse every entry with plain serde_json, nothing else): wall and CPU ratios;
#   - against reading them the way driftlab does (`driftlab check`: each archive once, nothing
#     else);
#   - peak RSS of the history of 10 and of 30 nights: it must not grow with the nights.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
cargo build --release --quiet --bin driftlab --example generate
cargo build --release --quiet --manifest-path bench/floor/Cargo.toml --target-dir target/floor
BIN=target/release/driftlab
GEN=target/release/examples/generate
FLOOR=target/floor/release/driftlab-floor
WORK=${BENCH_DIR:-target/bench}/history30
[ -d "$WORK" ] || "$GEN" --out "$WORK" --objects 10000 --nights 30 >/dev/null
archives=("$WORK"/*.zip)
first10=("${archives[@]:0:10}")

rm -f "$WORK"/*.times
run() { # label cmd...: "wall peak_kib cpu" appended to $WORK/label.times
  local label=$1; shift
  "$TIME" --quiet -f "%e %M %U %S" -o "$WORK/$label.one" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/$label.one" >> "$WORK/$label.times"
}
for _ in $(seq "$RUNS"); do
  run floor "$FLOOR" "${archives[@]}"
  run read "$BIN" check "${archives[@]}"
  run history "$BIN" history "${archives[@]}"
  run history10 "$BIN" history "${first10[@]}"
done
median() { sort -n -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
m() { median "$1" "$WORK/$2.times"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mib() { echo $(( $(m 2 "$1" | cut -d. -f1) / 1024 )); }
echo "driftlab history benchmark: $RUNS runs each, medians; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf "%-58s %8s %8s %10s\n" "case" "wall s" "cpu s" "peak MiB"
printf "%-58s %8s %8s %10s\n" "floor read of the 30 archives (plain serde_json)" "$(m 1 floor)" "$(m 3 floor)" "$(mib floor)"
printf "%-58s %8s %8s %10s\n" "reading them as driftlab does (driftlab check)" "$(m 1 read)" "$(m 3 read)" "$(mib read)"
printf "%-58s %8s %8s %10s\n" "driftlab history of the 30 archives" "$(m 1 history)" "$(m 3 history)" "$(mib history)"
printf "%-58s %8s %8s %10s\n" "driftlab history of the first 10" "$(m 1 history10)" "$(m 3 history10)" "$(mib history10)"
echo "history / floor: wall $(ratio "$(m 1 history)" "$(m 1 floor)"), cpu $(ratio "$(m 3 history)" "$(m 3 floor)")"
echo "history / reading as driftlab does: wall $(ratio "$(m 1 history)" "$(m 1 read)")"
echo "peak RSS, 30 nights / 10 nights = $(ratio "$(m 2 history)" "$(m 2 history10)")   (flat: about 1)"
