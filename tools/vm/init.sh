#!/bin/sh
# /init of the kabosu test guest (packed into the initramfs by tools/vm/prepare.sh).
# Loads the real-kernel device simulators, mounts the host's / read-only over 9p and a per-run
# read-write share, then runs /host/run/kbvm/cmd.sh chrooted into the host root (so the host's
# own node, node_modules and kabosu worktree run unchanged) and powers off.
# Lines starting with "KBVM " on the console are the protocol the host reads (tools/vm/guest.mjs).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "KBVM $*" > /dev/ttyS0; }
fail() { say "FAIL $*"; say "EXIT 125"; sync; poweroff -f; }
say "INIT $(up)"

modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p || fail "9p modules"
mkdir -p /host /share
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host || fail "mount hostroot"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 kbvm /share || fail "mount kbvm share"
[ -f /share/vm.env ] && . /share/vm.env
say "MOUNTED $(up)"

# I2C: i2c-stub at the board's chip addresses (SMBus only), /dev/i2c-N through i2c-dev.
modprobe i2c-dev || fail "i2c-dev"
if [ -n "$KBVM_I2C_ADDRS" ]; then modprobe i2c-stub chip_addr="$KBVM_I2C_ADDRS" || fail "i2c-stub"; fi
# GPIO: one gpio-sim chip (configfs) with KBVM_GPIO_LINES lines, named from KBVM_GPIO_NAMES (offset=name ...).
modprobe configfs; mount -t configfs none /sys/kernel/config
if [ -n "$KBVM_GPIO_LINES" ]; then
  modprobe gpio-sim || fail "gpio-sim"
  S=/sys/kernel/config/gpio-sim/kabosu
  mkdir $S $S/gpio-bank0 || fail "gpio-sim configfs"
  echo "$KBVM_GPIO_LINES" > $S/gpio-bank0/num_lines
  echo "${KBVM_GPIO_LABEL:-kabosu-gpio}" > $S/gpio-bank0/label
  for nl in $KBVM_GPIO_NAMES; do
    mkdir $S/gpio-bank0/line${nl%%=*} && echo "${nl#*=}" > $S/gpio-bank0/line${nl%%=*}/name
  done
  echo 1 > $S/live || fail "gpio-sim live"
fi
say "DEVICES $(up) i2c=$(ls /dev | grep -c '^i2c-') gpiochips=$(ls /dev | grep -c '^gpiochip')"

# Network (QEMU user-net): the host's loopback services appear at 10.0.2.2.
ip link set lo up
if [ "$KBVM_NET" = 1 ]; then
  modprobe virtio_net && sleep 0.2
  ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ip route add default via 10.0.2.2 || say "WARN network"
fi

# The chroot: the host root (read-only) with the guest's own kernel filesystems and tmpfs.
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t configfs none /host/sys/kernel/config 2>/dev/null
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts 2>/dev/null; mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs -o size=256m tmpfs /host/run
mkdir -p /host/run/kbvm /host/run/tmp
mount --bind /share /host/run/kbvm
say "READY $(up)"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/run/tmp TMPDIR=/run/tmp KBVM=1 /bin/sh /run/kbvm/cmd.sh > /share/stdout 2> /share/stderr
rc=$?
say "DONE $(up)"
sync
say "EXIT $rc"
poweroff -f
