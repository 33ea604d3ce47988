#!/usr/bin/env bash
# The fleet-scale export benchmark, with public tools only (GNU time, unzip, diff, awk).
#
#   bench/fleet.sh            # 51,000 objects in 1,388 namespaces
#   OBJECTS=20000 NAMESPACES=2000 bench/fleet.sh
#
# Against `driftlab serve` holding a generated snapshot of many small namespaces, in one run and
# alternating (median of 3 each): `driftlab export -A` listing each type once across all
# namespaces, and `driftlab export -A --list-per-namespace` listing it once per namespace (how
# every export listed before). For each: HTTP requests (the export's last line), wall time, peak
# RSS; then whether the two archives hold the same entries, byte for byte (manifest aside).
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
command -v unzip >/dev/null || { echo "bench: unzip is needed" >&2; exit 2; }
OBJECTS=${OBJECTS:-51000}
NAMESPACES=${NAMESPACES:-1388}

cargo build --release --quiet --bin driftlab --example generate
BIN=$PWD/target/release/driftlab
GEN=$PWD/target/release/examples/generate
WORK=${BENCH_DIR:-$PWD/target/bench}
SNAP="$WORK/fleet-$OBJECTS-$NAMESPACES"
mkdir -p "$WORK"
[ -d "$SNAP" ] || "$GEN" --out "$SNAP" --objects "$OBJECTS" --namespaces "$NAMESPACES" --nights 1 >/dev/null

log="$WORK/fleet-serve.$$.log"
"$BIN" serve "$SNAP"/driftlab-*.zip --listen 127.0.0.1:0 >"$log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q '^Serving' "$log" 2>/dev/null && break; sleep 0.1; done
URL=$(awk '/^Serving/ {print $NF}' "$log")
printf 'apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "%s"}\n  name: b\ncontexts:\n- context: {cluster: b, user: u}\n  name: b\ncurrent-context: b\nusers:\n- name: u\n  user: {token: t}\n' "$URL" >"$WORK/kubeconfig-fleet"

run() { # mode run -> appends "seconds kib requests" to $WORK/fleet-<mode>.times
  local mode=$1 flag=""
  [ "$mode" = per-namespace ] && flag="--list-per-namespace"
  rm -rf "$WORK/fleet-$mode" && mkdir -p "$WORK/fleet-$mode"
  "$TIME" -f "%e %M" -o "$WORK/fleet-$mode.one" "$BIN" export -A $flag \
    --kubeconfig "$WORK/kubeconfig-fleet" --output-dir "$WORK/fleet-$mode" \
    >"$WORK/fleet-$mode.out" 2>"$WORK/fleet-$mode.err"
  requests=$(awk -F', ' '/ requests/ {for (i = 1; i <= NF; i++) if ($i ~ / requests/) {split($i, w, " "); print w[1]}}' "$WORK/fleet-$mode.out")
  echo "$(cat "$WORK/fleet-$mode.one") $requests" >>"$WORK/fleet-$mode.times"
}
rm -f "$WORK"/fleet-*.times
for _ in 1 2 3; do run per-namespace; run cluster-wide; done
kill $SERVE_PID; wait $SERVE_PID 2>/dev/null || true

med() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
objects=$(unzip -p "$WORK"/fleet-cluster-wide/*.zip driftlab-manifest.json | awk -F': ' '/"objects"/ {gsub(",", "", $2); print $2}')
for mode in per-namespace cluster-wide; do
  rm -rf "$WORK/fleet-$mode.x" && mkdir -p "$WORK/fleet-$mode.x"
  unzip -q "$WORK"/fleet-"$mode"/*.zip -d "$WORK/fleet-$mode.x"
  rm "$WORK/fleet-$mode.x/driftlab-manifest.json"
done
if diff -r -q "$WORK/fleet-per-namespace.x" "$WORK/fleet-cluster-wide.x" >/dev/null; then
  same="identical ($(find "$WORK/fleet-cluster-wide.x" -type f | wc -l) entries, manifest aside)"
else
  same="DIFFERENT"
fi
entries_order="same"
cmp -s <(unzip -Z1 "$WORK"/fleet-per-namespace/*.zip) <(unzip -Z1 "$WORK"/fleet-cluster-wide/*.zip) || entries_order="different"

echo "driftlab fleet export benchmark; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "snapshot: $objects objects exported, $NAMESPACES namespaces (generate --objects $OBJECTS --namespaces $NAMESPACES)"
for mode in per-namespace cluster-wide; do
  f="$WORK/fleet-$mode.times"
  echo "$mode: $(med "$f" 3) requests, $(med "$f" 1) s (median of 3), peak RSS $(( $(med "$f" 2) / 1024 )) MiB, archive $(( $(stat -c %s "$WORK"/fleet-"$mode"/*.zip) / 1024 )) KiB"
done
echo "archives: $same; zip entry order: $entries_order"
[ "$same" != DIFFERENT ]
