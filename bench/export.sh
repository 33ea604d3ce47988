#!/usr/bin/env bash
# The export benchmark, with public tools only (GNU time, kubectl, awk).
#
#   bench/export.sh
#
# Against `driftlab serve` holding the generated 10k-object snapshot, in one run:
#   1. `driftlab export` of everything, and
#   2. the original openshift-backup tool's way of working: one `kubectl get <type> -n <ns> -o json`
#      per type and namespace (its script's list of types), sequentially;
# then the ratio, objects per second, and the peak RSS of exporting the 50k-object snapshot;
# and the cost of keeping managedFields (time and archive size, kept vs --drop-managed-fields).
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
KUBECTL=${KUBECTL:-kubectl}
command -v "$KUBECTL" >/dev/null || { echo "bench: kubectl is needed" >&2; exit 2; }
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }

cargo build --release --quiet --bin driftlab --example generate
BIN=$PWD/target/release/driftlab
GEN=$PWD/target/release/examples/generate
WORK=${BENCH_DIR:-$PWD/target/bench}
mkdir -p "$WORK"
[ -d "$WORK/10k" ] || "$GEN" --out "$WORK/10k" --objects 10000 >/dev/null
[ -d "$WORK/50k" ] || "$GEN" --out "$WORK/50k" --objects 50000 >/dev/null
[ -d "$WORK/10k-mf" ] || "$GEN" --out "$WORK/10k-mf" --objects 10000 --managed-fields >/dev/null

serve() { # archive -> sets URL and SERVE_PID
  local log="$WORK/serve.$$.log"
  "$BIN" serve "$1" --listen 127.0.0.1:0 >"$log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 100); do grep -q '^Serving' "$log" 2>/dev/null && break; sleep 0.1; done
  URL=$(awk '/^Serving/ {print $NF}' "$log")
}
kubeconfig() { # url file
  printf 'apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "%s"}\n  name: b\ncontexts:\n- context: {cluster: b, user: u}\n  name: b\ncurrent-context: b\nusers:\n- name: u\n  user: {token: t}\n' "$1" >"$2"
}

# 1 and 2: the 10k snapshot.
serve "$WORK/10k/driftlab-202601010015.zip"
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
kubeconfig "$URL" "$WORK/kubeconfig"
rm -rf "$WORK/export" && mkdir -p "$WORK/export"
"$TIME" --quiet -f "%e %M" -o "$WORK/export.time" "$BIN" export --kubeconfig "$WORK/kubeconfig" --output-dir "$WORK/export" -q
objects=$(unzip -p "$WORK"/export/*.zip driftlab-manifest.json | awk -F': ' '/"objects"/ {gsub(",", "", $2); print $2}')

# The original tool's script: these types, one kubectl call each, in every project.
TYPES="ns rolebindings serviceaccounts secrets dc bc builds is imagestreamtags rc svc endpoints po podpreset cm
egressnetworkpolicies rolebindingrestrictions limitranges resourcequotas pvc pvc routes templates cronjobs
statefulsets hpa deploy replicasets poddisruptionbudget daemonset"
namespaces=$(KUBECONFIG="$WORK/kubeconfig" "$KUBECTL" get ns -o name | sed 's|namespace/||')
rm -rf "$WORK/kubectl-loop" && mkdir -p "$WORK/kubectl-loop"
loop() {
  for ns in $namespaces; do
    mkdir -p "$WORK/kubectl-loop/$ns"
    for type in $TYPES; do
      KUBECONFIG="$WORK/kubeconfig" "$KUBECTL" get "$type" -n "$ns" -o json >"$WORK/kubectl-loop/$ns/$type.json" 2>/dev/null || true
    done
  done
}
start=$(date +%s.%N); loop; end=$(date +%s.%N)
loop_s=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
calls=$(( $(echo "$namespaces" | wc -w) * $(echo $TYPES | wc -w) ))
kill $SERVE_PID; wait $SERVE_PID 2>/dev/null || true

# 3: peak RSS exporting the 50k snapshot.
serve "$WORK/50k/driftlab-202601010015.zip"
kubeconfig "$URL" "$WORK/kubeconfig50"
rm -rf "$WORK/export50" && mkdir -p "$WORK/export50"
"$TIME" --quiet -f "%e %M" -o "$WORK/export50.time" "$BIN" export --kubeconfig "$WORK/kubeconfig50" --output-dir "$WORK/export50" -q
objects50=$(unzip -p "$WORK"/export50/*.zip driftlab-manifest.json | awk -F': ' '/"objects"/ {gsub(",", "", $2); print $2}')
kill $SERVE_PID; wait $SERVE_PID 2>/dev/null || true

# 4: the 10k snapshot with the managedFields a live cluster returns: kept (the default) or dropped.
serve "$WORK/10k-mf/driftlab-202601010015.zip"
kubeconfig "$URL" "$WORK/kubeconfig-mf"
for mode in kept dropped; do
  flag=""; [ "$mode" = dropped ] && flag="--drop-managed-fields"
  for run in 1 2 3; do
    rm -rf "$WORK/export-$mode" && mkdir -p "$WORK/export-$mode"
    "$TIME" --quiet -f "%e %M" -a -o "$WORK/export-$mode.times" "$BIN" export --kubeconfig "$WORK/kubeconfig-mf" --output-dir "$WORK/export-$mode" -q $flag
  done
done
kill $SERVE_PID; wait $SERVE_PID 2>/dev/null || true
med() { sort -n -k1 "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
kept_s=$(med "$WORK/export-kept.times"); dropped_s=$(med "$WORK/export-dropped.times")
kept_b=$(stat -c %s "$WORK"/export-kept/*.zip); dropped_b=$(stat -c %s "$WORK"/export-dropped/*.zip)
rm -f "$WORK"/export-kept.times "$WORK"/export-dropped.times

read -r export_s export_kib <"$WORK/export.time"
read -r export50_s export50_kib <"$WORK/export50.time"
echo "driftlab export benchmark; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "1. export of 10k objects ($objects exported): ${export_s} s, $(awk -v o="$objects" -v s="$export_s" 'BEGIN {printf "%.0f", o / s}') objects/s, peak $(( export_kib / 1024 )) MiB"
echo "2. kubectl loop, $calls calls (one per type and namespace): ${loop_s} s"
echo "   speed-up: $(awk -v a="$loop_s" -v b="$export_s" 'BEGIN {printf "%.1f", a / b}')x   (target >= 3x)"
echo "3. export of 50k objects ($objects50 exported): ${export50_s} s, peak RSS $(( export50_kib / 1024 )) MiB   (target < 500 MB)"
echo "4. 10k objects with managedFields, median of 3: kept ${kept_s} s, $(( kept_b / 1024 )) KiB; dropped ${dropped_s} s, $(( dropped_b / 1024 )) KiB"
echo "   time kept / dropped: $(awk -v a="$kept_s" -v b="$dropped_s" 'BEGIN {printf "%.2f", a / b}')x (target <= 1.3); archive size kept / dropped: $(awk -v a="$kept_b" -v b="$dropped_b" 'BEGIN {printf "%.2f", a / b}')x"
