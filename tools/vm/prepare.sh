#!/usr/bin/env bash
# tools/vm/prepare.sh: make (or reuse) everything the x86_64 test guest boots from.
#
#   bash tools/vm/prepare.sh            # prints KEY=VALUE lines (kernel, initrd, kver) on stdout
#
# On a fresh Debian 12 machine it installs what it needs with apt-get (when root): qemu-system-x86,
# busybox-static, kmod, cpio, the headers of the current Debian 6.1 kernel ABI; downloads (does not
# install) that kernel's image package and linux-source-6.1; builds gpio-sim + irq_sim out of tree
# (Debian's kernel has neither, see tools/vm/README.md); packs a busybox initramfs with the modules
# and tools/vm/init.sh. Everything lands in $KABOSU_VM_CACHE (default ~/.cache/kabosu-vm), keyed by
# kernel version and the init script's hash, so a second run (or CI later in the same run) is
# instant. Nothing goes into the git tree. Progress goes to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KABOSU_VM_CACHE:-$HOME/.cache/kabosu-vm}"
mkdir -p "$CACHE/debs"
log() { echo "kabosu-vm: $*" >&2; }
export PATH="$PATH:/usr/sbin:/sbin"

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $*; run: sudo apt-get install -y --no-install-recommends $*"
    exit 3
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >&2 ||
    { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >&2; }
}
command -v qemu-system-x86_64 >/dev/null || apt_install qemu-system-x86

# The kernel: KABOSU_VM_KVER (e.g. 6.1.0-57-amd64) or whatever linux-image-amd64 depends on now.
KVER="${KABOSU_VM_KVER:-}"
if [ -z "$KVER" ]; then
  if [ -f "$CACHE/kver" ]; then KVER="$(cat "$CACHE/kver")"; else
    KVER="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(6\.[0-9.]*-[0-9]*-amd64\).*/\1/p' | head -1)"
    if [ -z "$KVER" ]; then apt-get update -qq >&2; KVER="$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(6\.[0-9.]*-[0-9]*-amd64\).*/\1/p' | head -1)"; fi
    [ -n "$KVER" ] || { log "cannot find the Debian kernel ABI (apt-cache depends linux-image-amd64)"; exit 3; }
    echo "$KVER" > "$CACHE/kver"
  fi
fi
# Build tools, only when something is built (a prepared cache needs none of them).
need_build_pkgs() {
  local need=()
  # The initramfs needs the static busybox (Debian's plain `busybox` package is dynamically linked).
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
  command -v depmod >/dev/null || [ -x /usr/sbin/depmod ] || need+=(kmod)
  command -v cpio >/dev/null || need+=(cpio)
  [ -d "/usr/src/linux-headers-$KVER" ] || need+=("linux-headers-$KVER")
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

KX="$CACHE/kernel-$KVER"
MODS="$CACHE/gpiosim-$KVER"
IHASH="$(cat "$HERE/init.sh" | sha256sum | cut -c1-12)"
INITRD="$CACHE/initrd-$KVER-$IHASH.cpio.gz"
[ -f "$KX/boot/vmlinuz-$KVER" ] && [ -f "$MODS/gpio-sim.ko" ] && [ -f "$INITRD" ] || need_build_pkgs
if [ ! -f "$KX/boot/vmlinuz-$KVER" ]; then
  ( cd "$CACHE/debs" && ls linux-image-"$KVER"_*.deb >/dev/null 2>&1 || apt-get download "linux-image-$KVER" >&2 )
  log "extracting linux-image-$KVER"
  rm -rf "$KX.tmp" && mkdir -p "$KX.tmp" && dpkg-deb -x "$(ls "$CACHE"/debs/linux-image-"$KVER"_*.deb | head -1)" "$KX.tmp"
  PATH="$PATH:/usr/sbin:/sbin" depmod -b "$KX.tmp" "$KVER"
  mv "$KX.tmp" "$KX"
fi

# gpio-sim + irq_sim out of tree, from the linux-source of the same Debian version as the image.
if [ ! -f "$MODS/gpio-sim.ko" ]; then
  IMGVER="$(dpkg-deb -f "$(ls "$CACHE"/debs/linux-image-"$KVER"_*.deb | head -1)" Version)"
  SRCPKG="linux-source-$(echo "$KVER" | cut -d. -f1-2)"     # 6.1.0-57-amd64 -> linux-source-6.1
  ( cd "$CACHE/debs" && ls "$SRCPKG"_*.deb >/dev/null 2>&1 || apt-get download "$SRCPKG=$IMGVER" >&2 || apt-get download "$SRCPKG" >&2 )
  log "building gpio-sim + irq_sim for $KVER from $SRCPKG"
  rm -rf "$MODS.tmp" && mkdir -p "$MODS.tmp" && cd "$MODS.tmp"
  SV="$(echo "$KVER" | cut -d. -f1-2)"
  dpkg-deb --fsys-tarfile "$(ls "$CACHE"/debs/"$SRCPKG"_*.deb | head -1)" | tar -xO "./usr/src/linux-source-$SV.tar.xz" |
    tar -xJ --strip-components=3 "linux-source-$SV/drivers/gpio/gpio-sim.c" "linux-source-$SV/drivers/gpio/gpiolib.h" "linux-source-$SV/kernel/irq/irq_sim.c"
  # irq_to_desc() is not exported to modules: the one-line fix, and a licence so modpost links it.
  sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' irq_sim.c
  grep -q 'generic_handle_irq(irqnum)' irq_sim.c || { log "irq_sim.c patch did not apply"; exit 4; }
  printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >> irq_sim.c
  printf 'obj-m := gpio-sim.o irqsim.o\nirqsim-objs := irq_sim.o\n' > Makefile
  make -C "/usr/src/linux-headers-$KVER" M="$PWD" modules >&2
  cd "$CACHE" && mv "$MODS.tmp" "$MODS"
fi

# initramfs: static busybox, the modules we load, init.sh. Keyed by init.sh's hash.
if [ ! -f "$INITRD" ]; then
  log "packing initramfs"
  rm -f "$CACHE"/initrd-"$KVER"-*.cpio.gz
  R="$CACHE/initrd.tmp"; rm -rf "$R"; mkdir -p "$R"/{bin,sbin,dev,proc,sys,host,tmp,etc} "$R/lib/modules/$KVER/extra"
  cp /bin/busybox "$R/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
  want="virtio_pci 9pnet_virtio 9p virtio_net i2c-dev i2c-stub configfs"
  for m in $(modprobe -d "$KX" -S "$KVER" -a --show-depends $want | awk '$1=="insmod"{print $2}'); do
    rel="${m#"$KX"}"; mkdir -p "$R$(dirname "$rel")"; cp "$m" "$R$rel"
  done
  cp "$MODS"/gpio-sim.ko "$MODS"/irqsim.ko "$R/lib/modules/$KVER/extra/"
  cp "$KX/lib/modules/$KVER/modules.order" "$KX/lib/modules/$KVER/modules.builtin"* "$R/lib/modules/$KVER/" 2>/dev/null || true
  depmod -b "$R" "$KVER"
  cp "$HERE/init.sh" "$R/init" && chmod +x "$R/init"
  ( cd "$R" && find . | cpio -o -H newc --quiet | gzip -1 ) > "$INITRD.tmp" && mv "$INITRD.tmp" "$INITRD"
  rm -rf "$R"
fi
echo "KVER=$KVER"
echo "KERNEL=$KX/boot/vmlinuz-$KVER"
echo "INITRD=$INITRD"
