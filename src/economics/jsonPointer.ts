/**
 * RFC 6901 JSON Pointer, read only: `""` is the whole document, `/a/0/b~1c` walks objects and
 * arrays (`~1` is `/`, `~0` is `~`). Pure. A pointer that does not resolve is `undefined`, never
 * a throw: a market source whose layout changed degrades the report, not the daemon.
 */
export function isJsonPointer(p: string): boolean {
  return p === '' || (p.startsWith('/') && !/~[^01]|~$/.test(p));
}

export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (!isJsonPointer(pointer)) return undefined;
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    } else return undefined;
  }
  return cur;
}
