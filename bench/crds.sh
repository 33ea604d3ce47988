#!/usr/bin/env bash
# What comparing custom resources through their CRDs costs, with public tools only (GNU time, awk).
#
#   bench/crds.sh [RUNS]                    (default 5 runs of each command, interleaved)
#   BASELINE=/path/to/older/driftlab bench/crds.sh
#
# Prints, measured in this run (medians of RUNS runs, commands alternating):
#   1. two 10k-object archives of which 30% are custom resources of a CRD both archives hold
#      (keyed, set and atomic lists, defaults), against the same archives without the CRD (the
#      same objects compared without a schema); target CPU <= 1.2x.
#   2. with BASELINE (a driftlab built before schemas): the plain 10k-object pair (no custom
#      resources at all), this build against BASELINE; target CPU <= 1.1x.
# CPU is user + system time: what a CPU-limited CronJob or a shared CI runner pays.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin driftlab --example generate
BIN=target/release/driftlab
GEN=target/release/examples/generate
WORK=${BENCH_DIR:-target/bench}
mkdir -p "$WORK"

generate() { # objects dir extra-args...
  local objects=$1 dir=$2; shift 2
  [ -d "$dir" ] || "$GEN" --out "$dir" --objects "$objects" "$@" >/dev/null
}
generate 10000 "$WORK/10k"
generate 10000 "$WORK/cr30" --custom-resources 30
generate 10000 "$WORK/cr30-nodefs" --custom-resources 30 --no-definitions

# measure LABEL CMD... : appends "wall_seconds cpu_seconds peak_kib" of one run
measure() {
  local label=$1; shift
  "$TIME" --quiet -f "%e %U %S %M" -o "$WORK/$label.one" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$WORK/$label.one" >> "$WORK/$label.times"
}
median() { # column file
  sort -n -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

labels=(schema30 noschema30 plain10k)
[ -n "${BASELINE:-}" ] && labels+=(baseline10k baseline_noschema30)
for label in "${labels[@]}"; do rm -f "$WORK/$label.times"; done
cr=("$WORK"/cr30/*.zip); nodefs=("$WORK"/cr30-nodefs/*.zip); plain=("$WORK"/10k/*.zip)
for _ in $(seq "$RUNS"); do
  measure schema30 "$BIN" diff "${cr[@]}"
  measure noschema30 "$BIN" diff "${nodefs[@]}"
  measure plain10k "$BIN" diff "${plain[@]}"
  if [ -n "${BASELINE:-}" ]; then
    measure baseline10k "$BASELINE" diff "${plain[@]}"
    measure baseline_noschema30 "$BASELINE" diff "${nodefs[@]}"
  fi
done

changes() { "$BIN" diff --stat --exit-zero "$@" | tail -1; }
echo "driftlab custom-resource benchmark: $RUNS runs each, medians; $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf "%-24s %10s %10s %12s\n" "case" "wall s" "CPU s" "peak MiB"
for label in "${labels[@]}"; do
  printf "%-24s %10s %10s %12.1f\n" "$label" "$(median 1 "$WORK/$label.times")" "$(median 2 "$WORK/$label.times")" "$(awk "BEGIN {print $(median 3 "$WORK/$label.times") / 1024}")"
done
echo
echo "   with the CRD:    $(changes "${cr[@]}")"
echo "   without the CRD: $(changes "${nodefs[@]}")"
echo "1. 30% custom resources, with their CRD / without it: CPU = $(ratio "$(median 2 "$WORK/schema30.times")" "$(median 2 "$WORK/noschema30.times")"), wall = $(ratio "$(median 1 "$WORK/schema30.times")" "$(median 1 "$WORK/noschema30.times")")   (target CPU <= 1.2)"
if [ -n "${BASELINE:-}" ]; then
  echo "2. no custom resources, this build / BASELINE: CPU = $(ratio "$(median 2 "$WORK/plain10k.times")" "$(median 2 "$WORK/baseline10k.times")"), wall = $(ratio "$(median 1 "$WORK/plain10k.times")" "$(median 1 "$WORK/baseline10k.times")")   (target CPU <= 1.1)"
  echo "   30% custom resources, with their CRD (this build) / without a schema (BASELINE): CPU = $(ratio "$(median 2 "$WORK/schema30.times")" "$(median 2 "$WORK/baseline_noschema30.times")")"
else
  echo "2. (set BASELINE=/path/to/a/driftlab built before schemas to compare the plain pair with it)"
fi
