import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';

/**
 * The controller's network and system facts the stock `get_system_info.cgi` reports, read from
 * the host (the I/O edge of the CGI server; parsers below are pure). Unknown values are "" as
 * stock firmware prints an empty field, never invented.
 */
export interface HostFacts {
  hostname: string;
  netdevice: string;
  macaddr: string;
  ipaddress: string;
  netmask: string;
  gateway: string;
  dnsservers: string;
  nettype: 'DHCP' | 'Static' | '';
  kernel: string;
  uptimeS: number;
  loadavg: number[];
  memTotalKb: number;
  memFreeKb: number;
}

/** Default gateway from /proc/net/route (little-endian hex); the interface it uses. */
export function parseProcNetRoute(text: string): { iface: string; gateway: string } | undefined {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[1] !== '00000000' || !/^[0-9A-Fa-f]{8}$/.test(f[2])) continue;
    const n = parseInt(f[2], 16);
    return { iface: f[0], gateway: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.') };
  }
  return undefined;
}

/** `nameserver` lines of resolv.conf, space-separated as stock prints them. */
export function parseResolvConf(text: string): string {
  return text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x).join(' ');
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** DHCP when a lease for the interface exists (systemd-networkd, dhclient, dhcpcd), else Static. */
function netType(iface: string): HostFacts['nettype'] {
  if (!iface) return '';
  const dirs = ['/run/systemd/netif/leases', '/var/lib/dhcp', '/var/lib/dhclient', '/var/lib/dhcpcd'];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    try {
      if (readdirSync(d).some((f) => f.includes(iface) || /^\d+$/.test(f))) return 'DHCP';
    } catch {
      /* unreadable: keep looking */
    }
  }
  return 'Static';
}

export function readHostFacts(): HostFacts {
  const route = parseProcNetRoute(read('/proc/net/route'));
  const ifaces = os.networkInterfaces();
  const names = [route?.iface, ...Object.keys(ifaces)].filter((x): x is string => !!x);
  let chosen: { name: string; addr: os.NetworkInterfaceInfo } | undefined;
  for (const name of names) {
    const a = (ifaces[name] ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) {
      chosen = { name, addr: a };
      break;
    }
  }
  return {
    hostname: os.hostname(),
    netdevice: chosen?.name ?? '',
    macaddr: (chosen?.addr.mac ?? '').toUpperCase(),
    ipaddress: chosen?.addr.address ?? '',
    netmask: chosen?.addr.netmask ?? '',
    gateway: route?.gateway ?? '',
    dnsservers: parseResolvConf(read('/etc/resolv.conf')),
    nettype: netType(chosen?.name ?? ''),
    kernel: `Linux ${os.release()} ${os.version()}`,
    uptimeS: Math.floor(os.uptime()),
    loadavg: os.loadavg(),
    memTotalKb: Math.round(os.totalmem() / 1024),
    memFreeKb: Math.round(os.freemem() / 1024),
  };
}
