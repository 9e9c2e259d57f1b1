import { networkInterfaces } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { lookup } from 'node:dns/promises';
import { checkConfigText, readConfigFile } from '../../config';
import { parsePoolUrl } from '../../stratum';
import type { ConsoleCommand } from './context';

/** `net`: interfaces, addresses, MACs, default gateway, DNS, and a TCP reachability test per pool. */

/** The IPv4 default gateway from /proc/net/route's text (hex, little-endian). Pure. */
export function defaultGateway(routeText: string): { iface: string; gateway: string } | null {
  for (const line of routeText.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[1] !== '00000000') continue;
    const g = Number.parseInt(f[2], 16);
    if (!Number.isFinite(g)) continue;
    return { iface: f[0], gateway: [g & 255, (g >>> 8) & 255, (g >>> 16) & 255, g >>> 24].join('.') };
  }
  return null;
}

export function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((s): s is string => !!s);
}

function probe(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = connect({ host, port });
    const done = (r: string) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(r);
    };
    const onAbort = () => done('stopped');
    const timer = setTimeout(() => done(`no answer in ${timeoutMs / 1000} s`), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    s.once('connect', () => done(`reachable, TCP connect ${(performance.now() - t0).toFixed(1)} ms`));
    s.once('error', (e: NodeJS.ErrnoException) => done(`unreachable: ${e.code ?? e.message}`));
  });
}

export const NET: ConsoleCommand = {
  name: 'net',
  usage: 'net',
  summary: 'interfaces, addresses, MAC, gateway, DNS, and whether each pool is reachable',
  daemon: false,
  async run(ctx) {
    for (const [name, addrs] of Object.entries(networkInterfaces())) {
      const list = addrs ?? [];
      ctx.out(`${name}  mac ${list[0]?.mac ?? '-'}  ${list.map((a) => a.cidr ?? a.address).join('  ') || 'no address'}\n`);
    }
    const gw = existsSync('/proc/net/route') ? defaultGateway(readFileSync('/proc/net/route', 'utf8')) : null;
    ctx.out(`gateway  ${gw ? `${gw.gateway} via ${gw.iface}` : 'none (no default route)'}\n`);
    const dns = existsSync('/etc/resolv.conf') ? nameservers(readFileSync('/etc/resolv.conf', 'utf8')) : [];
    ctx.out(`dns      ${dns.join(', ') || 'none configured'}\n`);
    let pools: { name: string; url: string }[] = [];
    try {
      pools = (await ctx.link.alive()) ? (await ctx.link.status()).pools : checkConfigText(readConfigFile(ctx.rescue.configPath), ctx.rescue.configPath).config.pools;
    } catch (err) {
      ctx.out(`pools    cannot read them: ${(err as Error).message.split('\n')[0]}\n`);
    }
    for (const p of pools) {
      let ep;
      try {
        ep = parsePoolUrl(p.url);
      } catch (err) {
        ctx.out(`pool ${p.name}: bad url ${p.url}: ${(err as Error).message}\n`);
        continue;
      }
      let addr = ep.host;
      try {
        addr = (await lookup(ep.host)).address;
      } catch (err) {
        ctx.out(`pool ${p.name} ${ep.host}:${ep.port}: DNS failed (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
        continue;
      }
      ctx.out(`pool ${p.name} ${ep.host}:${ep.port} (${addr}): ${await probe(addr, ep.port, 3000, ctx.signal)}\n`);
      if (ctx.signal.aborted) return;
    }
  },
};
