# Sourced by tools/build/cross.sh and check-cross.sh: what one controller architecture needs.
#   . tools/build/cross-arch.sh arm64|armv7
# Sets CROSS_ARCH, CROSS_TRIPLE (the Debian cross toolchain prefix), CROSS_CMAKE_PROCESSOR,
# CROSS_CMAKEJS_ARCH (cmake-js --arch), CROSS_NODE_PKG and CROSS_NODE_VERSION (the npm package
# with that arch's Node; $KABOSU_NODE_VERSION overrides), CROSS_QEMU (qemu-user binary),
# CROSS_QEMU_CPUS (the -cpu models the check runs on), CROSS_ELF (what `file` must say),
# CROSS_APT (Debian packages). Triple, qemu and Node come from tools/build/targets.json, which
# `npm run build:bin -- --arch` (sea.mjs) reads too.
case "${1:-}" in
  arm64)
    target=arm64 CROSS_CMAKE_PROCESSOR=aarch64 CROSS_CMAKEJS_ARCH=arm64 CROSS_ELF="ARM aarch64"
    CROSS_APT="g++-aarch64-linux-gnu" CROSS_QEMU_CPUS="max" ;;
  armv7)
    # 32-bit ARMv7 hard-float (Debian armhf): the L3+ AM335x and the L7 Zynq-7000 controllers.
    # Checked on the L3+'s Cortex-A8 (NEON) and on a Cortex-A9 without NEON (scalar fallback).
    target=armv7l CROSS_CMAKE_PROCESSOR=armv7l CROSS_CMAKEJS_ARCH=arm CROSS_ELF="ARM, EABI5"
    CROSS_APT="g++-arm-linux-gnueabihf libc6-armhf-cross" CROSS_QEMU_CPUS="cortex-a8 cortex-a9,neon=off" ;;
  *) echo "usage: $0 arm64|armv7" >&2; exit 2 ;;
esac
CROSS_ARCH=$1
read -r CROSS_TRIPLE CROSS_QEMU CROSS_NODE_PKG CROSS_NODE_VERSION < <(node -p \
  "const t = require('./tools/build/targets.json')['$target']; [t.triple, t.qemu, t.nodePackage, t.nodeVersion].join(' ')")
CROSS_NODE_VERSION=${KABOSU_NODE_VERSION:-$CROSS_NODE_VERSION}
cross_apt_install() { # packages... : installs the Debian packages that are missing
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
