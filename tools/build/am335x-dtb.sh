#!/usr/bin/env bash
# Prints the path of a real AM335x BeagleBone Black device tree (am335x-boneblack.dtb), the base
# that overlays/l3plus-am335x.dts is applied onto in tests. Taken from Debian's armhf kernel
# package (linux-image-<version>-armmp, the one linux-image-armmp depends on): armhf is added as
# a foreign dpkg architecture if needed, the package is downloaded (apt-get download, ~43 MB)
# and only the .dtb is kept, cached under ~/.cache/kabosu/dtb/ (next to it, the package it came
# from) so later runs download nothing. Exit 1 with a reason on stderr if it cannot be had.
#   tools/build/am335x-dtb.sh
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kabosu/dtb"
dtb="$cache/am335x-boneblack.dtb"
if [ -s "$dtb" ]; then echo "$dtb"; exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  $SUDO dpkg --add-architecture armhf
  $SUDO apt-get update -qq >&2
fi
pkg=$(apt-cache depends 'linux-image-armmp:armhf' 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(":armhf", "", $2); print $2; exit }')
if [ -z "$pkg" ]; then
  $SUDO apt-get update -qq >&2
  pkg=$(apt-cache depends 'linux-image-armmp:armhf' 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(":armhf", "", $2); print $2; exit }')
fi
[ -n "$pkg" ] || { echo "am335x-dtb: no linux-image-*-armmp:armhf package known to apt" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kabosu-dtb-XXXXXX)
chmod 755 "$tmp" # apt-get download runs as _apt where it can
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq "$pkg:armhf" >&2)
deb=$(ls "$tmp"/*.deb)
member=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep '/am335x-boneblack\.dtb$' | head -1)
[ -n "$member" ] || { echo "am335x-dtb: $pkg has no am335x-boneblack.dtb" >&2; exit 1; }
mkdir -p "$cache"
dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$member" > "$dtb.tmp"
mv "$dtb.tmp" "$dtb"
basename "$deb" > "$cache/am335x-boneblack.source"
echo "$dtb"
