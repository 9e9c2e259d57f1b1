/**
 * A flattened device tree (.dtb / .dtbo) read into nodes, for tests that check what
 * `fdtoverlay` produced. Format: the Devicetree Specification v0.4 §5 (big-endian header, a
 * structure block of BEGIN_NODE / PROP / END_NODE tokens, a strings block of property names).
 */
export interface FdtNode {
  name: string;
  path: string;
  parent: FdtNode | null;
  props: Map<string, Buffer>;
  children: FdtNode[];
}

const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;

export function parseFdt(buf: Buffer): FdtNode {
  if (buf.readUInt32BE(0) !== 0xd00dfeed) throw new Error('not a flattened device tree (bad magic)');
  const offStruct = buf.readUInt32BE(8);
  const offStrings = buf.readUInt32BE(12);
  const cstr = (at: number): string => buf.toString('latin1', at, buf.indexOf(0, at));
  let p = offStruct;
  let root = null as FdtNode | null;
  let cur = null as FdtNode | null;
  for (;;) {
    const tok = buf.readUInt32BE(p);
    p += 4;
    if (tok === BEGIN_NODE) {
      const name = cstr(p);
      p += (name.length + 4) & ~3;
      const path = cur === null ? '/' : cur.path === '/' ? `/${name}` : `${cur.path}/${name}`;
      const node: FdtNode = { name, path, parent: cur, props: new Map(), children: [] };
      if (cur) cur.children.push(node);
      else root = node;
      cur = node;
    } else if (tok === END_NODE) {
      cur = cur?.parent ?? null;
    } else if (tok === PROP) {
      const len = buf.readUInt32BE(p);
      const nameOff = buf.readUInt32BE(p + 4);
      cur!.props.set(cstr(offStrings + nameOff), buf.subarray(p + 8, p + 8 + len));
      p += 8 + ((len + 3) & ~3);
    } else if (tok === NOP) {
      continue;
    } else if (tok === END) {
      break;
    } else {
      throw new Error(`bad FDT token ${tok} at ${p - 4}`);
    }
  }
  if (!root) throw new Error('empty device tree');
  return root;
}

export function walk(node: FdtNode, visit: (n: FdtNode) => void): void {
  visit(node);
  for (const c of node.children) walk(c, visit);
}

export function findPath(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) n = n?.children.find((c) => c.name === part);
  return n;
}

export const cells = (v: Buffer | undefined): number[] => (v ? Array.from({ length: v.length / 4 }, (_x, i) => v.readUInt32BE(4 * i)) : []);
export const str = (v: Buffer | undefined): string | undefined => (v ? v.toString('latin1').replace(/\0$/, '') : undefined);
export const strings = (v: Buffer | undefined): string[] => (v ? v.toString('latin1').replace(/\0$/, '').split('\0') : []);

/** Enabled: no `status`, or "okay"/"ok", and every ancestor enabled too. */
export function enabled(n: FdtNode): boolean {
  for (let x: FdtNode | null = n; x; x = x.parent) {
    const s = str(x.props.get('status'));
    if (s !== undefined && s !== 'okay' && s !== 'ok') return false;
  }
  return true;
}

/** Node by phandle. */
export function phandles(root: FdtNode): Map<number, FdtNode> {
  const m = new Map<number, FdtNode>();
  walk(root, (n) => {
    const ph = n.props.get('phandle') ?? n.props.get('linux,phandle');
    if (ph) m.set(ph.readUInt32BE(0), n);
  });
  return m;
}

/**
 * The physical address of a node on the AM335x buses: the sum of the unit addresses on its path
 * (the interconnect, segment and target-module `ranges` there map child 0 to the unit address).
 */
export function unitAddressSum(n: FdtNode): number {
  let a = 0;
  for (let x: FdtNode | null = n; x; x = x.parent) {
    const m = /@([0-9a-f]+)$/.exec(x.name);
    if (m) a += parseInt(m[1], 16);
  }
  return a;
}
