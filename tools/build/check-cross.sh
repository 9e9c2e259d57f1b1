#!/usr/bin/env bash
# Proves a controller build correct under emulation: cross-builds the addon (cross.sh), fetches
# that architecture's Node with `npm pack node-linux-<arch>@<version>` into a temporary directory
# (never committed; npm's cache keeps the tarball), and runs tools/build/check-cross.cjs under
# qemu-user on each CPU model of CROSS_QEMU_CPUS (tools/build/cross-arch.sh): NEON vs scalar on
# seeded random headers, both vs test/vectors/pow/headers.json, the neon/scalar speed ratio
# (emulated, so a ratio only), then the UART reader thread over a PTY for the three chip
# families (hashes vs the host's, tools/build/cross-reader-vectors.ts) and setThreadPolicy. A
# model with `neon=off` must get the scalar path only (armv7's run-time fallback). Installs
# qemu-user-static if missing.
#   tools/build/check-cross.sh arm64|armv7
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/build/cross-arch.sh "${1:-}"
cross_apt_install qemu-user-static
tools/build/cross.sh "$CROSS_ARCH"
sysroot=/usr/$CROSS_TRIPLE
[ -e "$sysroot/lib/libstdc++.so.6" ] || { echo "check-$CROSS_ARCH: no libstdc++ under $sysroot" >&2; exit 1; }
tmp=$(mktemp -d "/tmp/kabosu-$CROSS_ARCH-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$CROSS_NODE_PKG@$CROSS_NODE_VERSION" >/dev/null && tar xzf "$CROSS_NODE_PKG"-*.tgz)
node -r tsx/cjs tools/build/cross-reader-vectors.ts "$tmp/reader-cases.json"
for cpu in $CROSS_QEMU_CPUS; do
  flags=(); cases=("$tmp/reader-cases.json")
  case "$cpu" in *neon=off*) flags=(--no-neon) ;; esac
  echo "check-$CROSS_ARCH: $CROSS_QEMU -cpu $cpu, Node $CROSS_NODE_VERSION"
  timeout 300 "$CROSS_QEMU" -cpu "$cpu" -L "$sysroot" "$tmp/package/bin/node" tools/build/check-cross.cjs \
    "${flags[@]}" "native/build-$CROSS_ARCH/Release/kabosu.node" test/vectors/pow/headers.json "${cases[@]}"
done
