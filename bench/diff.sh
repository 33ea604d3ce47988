#!/usr/bin/env bash
# The speed and memory benchmark of `driftlab diff`, with public tools only (GNU time, awk).
#
#   bench/diff.sh [RUNS]        (default 5 runs of each command, interleaved)
#
# Prints, measured in this run:
#   1. diff of two 10k- and two 50k-object archives (--output json) against the floor (reading,
#      decompressing and parsing both archives with plain serde_json and nothing else: the crate
#      bench/floor/, built here); wall and CPU (user+sys) ratios.
#   2. peak RSS of a diff of two 50k-object archives against the combined uncompressed JSON size
#      of the inputs.
#   3. a single List file of 10k items with one change; target well under one second.
#   4. diff --desired of the 10k-object archives against the plain diff; target <= 1.2x.
# Figures are medians of RUNS runs; the machine is shared and noisy, so ratios are of medians
# taken in the same run, commands alternating.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin driftlab --example generate
# The floor is a crate of its own: driftlab's serde_json features must not slow it down.
cargo build --release --quiet --manifest-path bench/floor/Cargo.toml --target-dir target/floor
BIN=target/release/driftlab
GEN=target/release/examples/generate
FLOOR=target/floor/release/driftlab-floor
WORK=${BENCH_DIR:-target/bench}
mkdir -p "$WORK"

generate() { # objects dir extra-args...
  local objects=$1 dir=$2; shift 2
  [ -d "$dir" ] || "$GEN" --out "$dir" --objects "$objects" "$@" >/dev/null
}
generate 1000 "$WORK/1k"
generate 10000 "$WORK/10k"
generate 50000 "$WORK/50k"
generate 10000 "$WORK/list10k" --single-list --changes 1

# measure LABEL CMD... : appends "wall_seconds peak_kib cpu_seconds" of one run to $WORK/LABEL.times
measure() {
  local label=$1; shift
  "$TIME" --quiet -f "%e %M %U %S" -o "$WORK/$label.one" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/$label.one" > "$WORK/$label.cpu" && mv "$WORK/$label.cpu" "$WORK/$label.one"
  cat "$WORK/$label.one" >> "$WORK/$label.times"
}
median() { # column file
  sort -n -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}

rm -f "$WORK"/*.times
a1k=("$WORK"/1k/*.zip); a10k=("$WORK"/10k/*.zip); a50k=("$WORK"/50k/*.zip); l10k=("$WORK"/list10k/*.json)
for _ in $(seq "$RUNS"); do
  measure floor1k "$FLOOR" "${a1k[@]}"
  measure diff1k "$BIN" diff "${a1k[@]}" --output json
  measure floor10k "$FLOOR" "${a10k[@]}"
  measure diff10k "$BIN" diff "${a10k[@]}" --output json
  measure desired10k "$BIN" diff --desired "${a10k[@]}" --output json
  measure floor50k "$FLOOR" "${a50k[@]}"
  measure diff50k "$BIN" diff "${a50k[@]}" --output json
  measure list10k "$BIN" diff "${l10k[@]}"
done

bytes50k=$("$FLOOR" "${a50k[@]}")
bytes10k=$("$FLOOR" "${a10k[@]}")
changes_list=$("$BIN" diff --stat --exit-zero "${l10k[@]}" | tail -1)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
m() { median "$1" "$WORK/$2.times"; }
echo "driftlab diff benchmark: $RUNS runs each, medians; $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf "%-44s %10s %10s %12s\n" "case" "wall s" "cpu s" "peak MiB"
for label in floor1k diff1k floor10k diff10k desired10k floor50k diff50k list10k; do
  printf "%-44s %10s %10s %12.1f\n" "$label" "$(m 1 "$label")" "$(m 3 "$label")" "$(awk "BEGIN {print $(m 2 "$label") / 1024}")"
done
echo
echo "1. diff --output json / floor (read, inflate, parse both with plain serde_json):"
echo "   10k objects ($(awk "BEGIN {printf \"%.1f\", $bytes10k/1048576}") MiB of JSON): wall $(ratio "$(m 1 diff10k)" "$(m 1 floor10k)"), cpu $(ratio "$(m 3 diff10k)" "$(m 3 floor10k)")"
echo "   50k objects ($(awk "BEGIN {printf \"%.1f\", $bytes50k/1048576}") MiB of JSON): wall $(ratio "$(m 1 diff50k)" "$(m 1 floor50k)"), cpu $(ratio "$(m 3 diff50k)" "$(m 3 floor50k)")"
echo "2. 50k-object archives: peak RSS / uncompressed JSON = $(ratio "$(( $(m 2 diff50k | cut -d. -f1) * 1024 ))" "$bytes50k")   ($(awk "BEGIN {printf \"%.0f\", $(m 2 diff50k)/1024}") MiB / $(awk "BEGIN {printf \"%.0f\", $bytes50k/1048576}") MiB)"
echo "   10k objects: peak RSS $(awk "BEGIN {printf \"%.0f\", $(m 2 diff10k)/1024}") MiB; 50k / 10k = $(ratio "$(m 2 diff50k)" "$(m 2 diff10k)") for 5x the objects"
echo "3. one List of 10k items, one change: $(m 1 list10k) s   ($changes_list; target well under 1 s)"
echo "4. 10k-object archives, --desired / plain diff wall = $(ratio "$(m 1 desired10k)" "$(m 1 diff10k)")   (target <= 1.2)"
