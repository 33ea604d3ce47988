#!/usr/bin/env bash
# Builds the static (musl) driftlab the Dockerfile builds, and checks that it is static: ldd must
# find nothing to load. Run by hand (a release build takes minutes); needs the musl target and a
# musl C compiler for ring:
#
#   rustup target add x86_64-unknown-linux-musl
#   apt-get install musl-tools
#
#   scripts/static-build.sh [TARGET_DIR]      (default target/)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-musl
DIR=${1:-target}

cargo build --release --locked --target "$TARGET" --bin driftlab --target-dir "$DIR"
BIN="$DIR/$TARGET/release/driftlab"

# glibc's ldd says "not a dynamic executable" for a static binary and "statically linked" for a
# static PIE (what Rust's musl target links by default); anything else lists libraries to load.
verdict=$(ldd "$BIN" 2>&1 || true)
case "$verdict" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "static-build: $BIN is dynamic:" >&2; echo "$verdict" >&2; exit 1 ;;
esac
# It must also run: no loader, no libc on the machine is asked for anything.
"$BIN" --version >/dev/null
printf '%s: static (ldd: %s), %s bytes\n' "$BIN" "$(echo "$verdict" | tr -d '\t' | head -1)" "$(stat -c %s "$BIN")"
