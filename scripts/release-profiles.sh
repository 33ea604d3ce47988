#!/usr/bin/env bash
# Compares candidate release profiles: binary size, clean build time, and the speed of
# `driftlab diff` on two generated 10k-object archives. Public tools only (cargo, GNU time, awk).
#
#   scripts/release-profiles.sh build NAME [KEY=VALUE...]   clean build of one candidate
#   scripts/release-profiles.sh speed RUNS NAME...          interleaved diff timings, medians
#
# A candidate is the release profile with CARGO_PROFILE_RELEASE_<KEY>=VALUE overrides (cargo's
# own environment configuration), e.g. `build lto-thin DEBUG=false STRIP=symbols LTO=thin`.
# Each candidate builds from nothing in its own target directory under $WORK (default
# /tmp/driftlab-profiles), so that build times are of clean builds.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/driftlab-profiles}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
mkdir -p "$WORK"

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

build() {
  local name=$1; shift
  local target="$WORK/target-$name"
  rm -rf "$target"
  local env=()
  for setting in "$@"; do env+=("CARGO_PROFILE_RELEASE_${setting}"); done
  # Wall seconds, and user + system CPU seconds: on a shared machine the CPU time says more.
  "$TIME" -f "%e %U %S" -o "$WORK/$name.build-seconds" \
    env "${env[@]}" CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet --bin driftlab
  cp "$target/release/driftlab" "$WORK/$name.bin"
  rm -rf "$target"
  read -r wall user system < "$WORK/$name.build-seconds"
  printf '%s: %s bytes, built in %s s wall, %s s CPU (%s)\n' "$name" "$(stat -c %s "$WORK/$name.bin")" \
    "$wall" "$(awk -v u="$user" -v s="$system" 'BEGIN {print u + s}')" "$*"
}

speed() {
  local runs=$1; shift
  local data="$WORK/archives"
  if [ ! -d "$data" ]; then
    "$WORK/$1.bin" generate --out "$data" --objects 10000 >/dev/null
  fi
  local pair=("$data"/*.zip)
  for name in "$@"; do rm -f "$WORK/$name.times"; done
  for _ in $(seq "$runs"); do
    for name in "$@"; do
      "$TIME" -f "%e %M" -o "$WORK/$name.one" "$WORK/$name.bin" diff --exit-zero "${pair[@]}" >/dev/null
      cat "$WORK/$name.one" >> "$WORK/$name.times"
    done
  done
  printf '%-14s %10s %8s %10s\n' candidate MiB seconds peak-MiB
  for name in "$@"; do
    local size seconds peak
    size=$(stat -c %s "$WORK/$name.bin" | awk '{printf "%.1f", $1/1048576}')
    seconds=$(awk '{print $1}' "$WORK/$name.times" | median)
    peak=$(awk '{print $2}' "$WORK/$name.times" | median | awk '{printf "%.0f", $1/1024}')
    printf '%-14s %10s %8s %10s\n' "$name" "$size" "$seconds" "$peak"
  done
}

case "${1:-}" in
  build) shift; build "$@" ;;
  speed) shift; speed "$@" ;;
  *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
