import { CONFIG_SCHEMA } from './schema';

/**
 * Reads facts out of the schema: which fields are secret, what schema sits at a path, and every
 * leaf field (for the docs table and env overrides). Paths use '*' for "any array item".
 */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  'x-secret'?: boolean;
  'x-reloadable'?: boolean;
}

export const ROOT = CONFIG_SCHEMA as unknown as SchemaNode;

export interface SchemaField {
  path: string[];
  node: SchemaNode;
}

/** Every leaf field (not an object with properties), depth first in schema order. */
export function schemaFields(node: SchemaNode = ROOT, path: string[] = []): SchemaField[] {
  if (node.properties) return Object.entries(node.properties).flatMap(([k, v]) => schemaFields(v, [...path, k]));
  if (node.type === 'array' && node.items?.properties) return schemaFields(node.items, [...path, '*']);
  return [{ path, node }];
}

/** Paths of x-secret fields, e.g. ['pools','*','password']. */
export function secretFieldPaths(): string[][] {
  return schemaFields().filter((f) => f.node['x-secret'] === true).map((f) => f.path);
}

/** The schema node at a concrete path (array indices are numbers or digit strings), or undefined. */
export function schemaAt(path: ReadonlyArray<string | number>, node: SchemaNode = ROOT): SchemaNode | undefined {
  let cur: SchemaNode | undefined = node;
  for (const seg of path) {
    if (!cur) return undefined;
    if (cur.type === 'array') cur = /^\d+$/.test(String(seg)) || seg === '*' ? cur.items : undefined;
    else if (cur.properties && Object.prototype.hasOwnProperty.call(cur.properties, String(seg))) cur = cur.properties[String(seg)];
    else if (cur.additionalProperties && typeof cur.additionalProperties === 'object') cur = cur.additionalProperties;
    else return undefined;
  }
  return cur;
}

export function isSecretPath(path: ReadonlyArray<string | number>): boolean {
  return schemaAt(path)?.['x-secret'] === true;
}

/** Concrete paths of secret values present in `data` (array wildcards expanded). */
export function secretValuePaths(data: unknown): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  for (const pattern of secretFieldPaths()) expand(data, pattern, [], out);
  return out;
}

function expand(v: unknown, rest: string[], at: Array<string | number>, out: Array<Array<string | number>>): void {
  if (rest.length === 0) {
    if (v !== undefined) out.push(at);
    return;
  }
  const [head, ...tail] = rest;
  if (head === '*') {
    if (Array.isArray(v)) v.forEach((item, i) => expand(item, tail, [...at, i], out));
  } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, head)) {
    expand((v as Record<string, unknown>)[head], tail, [...at, head], out);
  }
}

export function getAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

export function setAt(data: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  let cur = data as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
}
