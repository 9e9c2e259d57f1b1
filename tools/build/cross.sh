#!/usr/bin/env bash
# Cross-compiles the kabosu native addon for a controller architecture on an x86-64 Debian
# machine, with Debian's cross g++ and the local Node headers (N-API is ABI-stable, so the
# x86-64 Node's headers build an ARM addon). Output: native/build-<arch>/Release/kabosu.node,
# checked to be an ELF of that architecture with the N-API entry point; for armv7 also that
# NEON instructions appear only in the two NEON kernels (the rest must run on a VFP-only CPU,
# native/CMakeLists.txt).
#   tools/build/cross.sh arm64|armv7
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/build/cross-arch.sh "${1:-}"
cross_apt_install $CROSS_APT file
build=native/build-$CROSS_ARCH
toolchain=$PWD/native/build-$CROSS_ARCH.toolchain.cmake
cat > "$toolchain" <<CMAKE
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $CROSS_CMAKE_PROCESSOR)
set(CMAKE_C_COMPILER $CROSS_TRIPLE-gcc)
set(CMAKE_CXX_COMPILER $CROSS_TRIPLE-g++)
CMAKE
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
npx cmake-js compile -d native --arch "$CROSS_CMAKEJS_ARCH" -O "$build" \
  --CDCMAKE_TOOLCHAIN_FILE="$toolchain" >/dev/null
rm -f "$toolchain"
out=$build/Release/kabosu.node
desc=$(file -b "$out")
echo "cross-$CROSS_ARCH: $out: $desc"
case "$desc" in *"$CROSS_ELF"*) ;; *) echo "cross-$CROSS_ARCH: not a $CROSS_ELF shared object" >&2; exit 1 ;; esac
# nm's whole output first: `nm | grep -q` under pipefail fails when grep exits early (SIGPIPE).
syms=$("$CROSS_TRIPLE-nm" -D "$out")
grep -q napi_register_module_v1 <<<"$syms" || { echo "cross-$CROSS_ARCH: no N-API entry point" >&2; exit 1; }
if [ "$CROSS_ARCH" = armv7 ]; then
  # Advanced SIMD on AArch32 is the only user of q registers and of integer-typed v* ops
  # (vadd.i32, vld1.32, ...); VFP uses s/d registers with .f32/.f64.
  counts=$("$CROSS_TRIPLE-objdump" -d --no-show-raw-insn -C "$out" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; inneon = (fn ~ /scrypt_kernel1?_neon/) }
    /\tv[a-z0-9]+\.(i|s|u|p)?(8|16|32|64)\t/ || /\tv[a-z0-9.]+\t.*\<q[0-9]+\>/ { if (inneon) n++; else { o++; if (o <= 5) print "outside: " fn " " $0 > "/dev/stderr" } }
    END { printf "%d %d\n", n, o }')
  read -r neon_in neon_out <<<"$counts"
  echo "cross-armv7: NEON instructions: $neon_in in the NEON kernels, $neon_out elsewhere"
  [ "$neon_in" -gt 0 ] || { echo "cross-armv7: the NEON kernels have no NEON instructions (-mfpu=neon dropped?)" >&2; exit 1; }
  [ "$neon_out" -eq 0 ] || { echo "cross-armv7: NEON outside the NEON kernels: the scalar fallback would SIGILL on a VFP-only CPU" >&2; exit 1; }
fi
