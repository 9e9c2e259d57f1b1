#!/usr/bin/env bash
# Cross-compiles the kabosu native addon for linux-arm64 (the controller boards) on an x86-64
# Debian machine, with Debian's g++-aarch64-linux-gnu and the local Node headers (N-API is
# ABI-stable, so the x86-64 Node's headers build an arm64 addon). Output:
# native/build-arm64/Release/kabosu.node, checked to be an AArch64 ELF.
#   tools/build/cross-arm64.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu file
fi
cat > native/build-arm64.toolchain.cmake <<'CMAKE'
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
CMAKE
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
npx cmake-js compile -d native --arch arm64 -O native/build-arm64 \
  --CDCMAKE_TOOLCHAIN_FILE="$PWD/native/build-arm64.toolchain.cmake" >/dev/null
out=native/build-arm64/Release/kabosu.node
rm -f native/build-arm64.toolchain.cmake
desc=$(file -b "$out")
echo "cross-arm64: $out: $desc"
case "$desc" in *"ARM aarch64"*) ;; *) echo "cross-arm64: not an AArch64 shared object" >&2; exit 1 ;; esac
# nm's whole output first: `nm | grep -q` under pipefail fails when grep exits early (SIGPIPE).
syms=$(aarch64-linux-gnu-nm -D "$out")
grep -q napi_register_module_v1 <<<"$syms" || { echo "cross-arm64: no N-API entry point" >&2; exit 1; }
