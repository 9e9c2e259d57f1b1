/**
 * Kernel interface roots (hashboards.linux.sysfsRoot / procRoot): the board definition names
 * absolute kernel paths (/sys/class/gpio, /sys/class/pwm/..., /proc/interrupts); a test or a
 * guest points the roots at a tree it drives.
 */
import { join } from 'node:path';

export interface KernelRoots {
  /** Default '/sys'. */
  sysfs: string;
  /** Default '/proc'. */
  proc: string;
}

export const DEFAULT_ROOTS: KernelRoots = { sysfs: '/sys', proc: '/proc' };

/** `/sys/class/pwm/pwm1` under `roots.sysfs` (paths outside /sys and /proc are returned as given). */
export function underRoots(path: string, roots: KernelRoots): string {
  if (path === '/sys' || path.startsWith('/sys/')) return join(roots.sysfs, path.slice(4));
  if (path === '/proc' || path.startsWith('/proc/')) return join(roots.proc, path.slice(5));
  return path;
}

/** What a failed file operation on a kernel interface means, for the error's hint. */
export function errnoHint(code: string | undefined, what: string): string {
  switch (code) {
    case 'ENOENT': return `${what} does not exist: check that the kernel driver is loaded and the device-tree overlay enables it (overlays/), and hashboards.linux.sysfsRoot/procRoot`;
    case 'EACCES':
    case 'EPERM': return `no permission on ${what}: run kabosu as root or give its user access (udev rule / group gpio, i2c)`;
    case 'EBUSY': return `${what} is in use by another driver or process (see /sys/kernel/debug/gpio, lsof); stop it or free the line`;
    case 'EINVAL': return `the kernel refused the value for ${what}: check the number in the board definition exists on this controller`;
    default: return `check ${what}`;
  }
}
