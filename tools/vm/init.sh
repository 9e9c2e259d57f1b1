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
# GPIO: one gpio-sim chip (configfs) with KBVM_GPIO_LINES lines, named from KBVM_GPIO_NAMES
# (offset=name ...), at global base 0 when KBVM_GPIO_BASE0=1.
modprobe configfs; mount -t configfs none /sys/kernel/config
simchip() { # simchip NAME LINES LABEL [NAMES]: one live gpio-sim chip with one bank
  C=/sys/kernel/config/gpio-sim/$1
  mkdir $C $C/gpio-bank0 || fail "gpio-sim configfs $1"
  echo "$2" > $C/gpio-bank0/num_lines
  echo "$3" > $C/gpio-bank0/label
  for nl in $4; do
    mkdir $C/gpio-bank0/line${nl%%=*} && echo "${nl#*=}" > $C/gpio-bank0/line${nl%%=*}/name
  done
  echo 1 > $C/live || fail "gpio-sim live $1"
}
if [ -n "$KBVM_GPIO_LINES" ]; then
  modprobe gpio-sim || fail "gpio-sim"
  if [ "$KBVM_GPIO_BASE0" = 1 ]; then
    # Global (sysfs) numbers as on the controller, where the SoC's GPIOs start at 0: the kernel
    # hands out dynamic bases from the top of its number space down, so a probe chip finds the
    # top, a filler chip takes everything above our lines, and ours gets base 0.
    simchip probe 1 probe
    top=$(( $(cat /sys/class/gpio/gpiochip*/base) + 1 ))
    echo 0 > /sys/kernel/config/gpio-sim/probe/live; rmdir /sys/kernel/config/gpio-sim/probe/gpio-bank0 /sys/kernel/config/gpio-sim/probe
    [ "$top" -gt "$KBVM_GPIO_LINES" ] && simchip filler $((top - KBVM_GPIO_LINES)) kbvm-filler
  fi
  simchip kabosu "$KBVM_GPIO_LINES" "${KBVM_GPIO_LABEL:-kabosu-gpio}" "$KBVM_GPIO_NAMES"
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
