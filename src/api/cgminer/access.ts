import { isIP } from 'node:net';
import { KabosuError } from '../../core/errors';

/**
 * The :4028 allow-list (pure). Entries are addresses or CIDRs (IPv4 or IPv6), with cgminer's
 * optional `W:` (all commands) / `R:` (read-only) prefix; no prefix means W (privileged allowed),
 * `0/0` means everyone. First match wins. Read commands are open to every client; the list
 * decides who may run privileged ones.
 */
export interface AllowRule {
  write: boolean;
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

export function parseAllow(entry: string): AllowRule {
  let s = entry.trim();
  let write = true;
  const m = /^([WR]):/i.exec(s);
  if (m) {
    write = m[1].toUpperCase() === 'W';
    s = s.slice(2);
  }
  if (s === '0/0') return { write, family: 4, bits: 0n, prefix: 0 };
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const family = isIP(addr);
  if (family !== 4 && family !== 6) throw bad(entry);
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw bad(entry);
    prefix = Number(p);
  }
  return { write, family, bits: toBits(addr, family), prefix };
}

function bad(entry: string): KabosuError {
  return new KabosuError('KBS_E_CGMINER_BAD_ALLOW', `api.cgminer.allow entry '${entry}' is not an address or CIDR`, {
    hint: "use e.g. '127.0.0.1', '192.168.0.0/24', 'R:10.0.0.0/8' or '0/0'",
  });
}

function toBits(addr: string, family: 4 | 6): bigint {
  if (family === 4) return addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expand = (g: string[]) => g.flatMap((x) => (x.includes('.') ? v4Groups(x) : [x]));
  const hh = expand(h);
  const tt = expand(t);
  const groups = tail === undefined ? hh : [...hh, ...Array(8 - hh.length - tt.length).fill('0'), ...tt];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function v4Groups(v4: string): string[] {
  const n = Number(toBits(v4, 4));
  return [((n >>> 16) & 0xffff).toString(16), (n & 0xffff).toString(16)];
}

/** A client address as Node reports it, IPv4-mapped IPv6 folded to IPv4. */
function normalise(addr: string): { family: 4 | 6; bits: bigint } | null {
  const a = addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
  const f = isIP(a);
  if (f !== 4 && f !== 6) return null;
  return { family: f, bits: toBits(a, f) };
}

export function matches(rule: AllowRule, addr: string): boolean {
  if (rule.prefix === 0 && rule.family === 4 && rule.bits === 0n) return normalise(addr) !== null;
  const n = normalise(addr);
  if (!n || n.family !== rule.family) return false;
  const width = BigInt(rule.family === 4 ? 32 : 128);
  const shift = width - BigInt(rule.prefix);
  return n.bits >> shift === rule.bits >> shift;
}

/** Whether `addr` may run privileged commands: the first matching rule decides; none → no. */
export function mayWrite(rules: readonly AllowRule[], addr: string): boolean {
  const r = rules.find((x) => matches(x, addr));
  return r ? r.write : false;
}
