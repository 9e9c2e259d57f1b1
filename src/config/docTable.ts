import { schemaFields, ROOT, type SchemaNode } from './schemaWalk';

/**
 * The field reference table of docs/configuration.md, generated from the schema so the doc
 * cannot drift (test/unit/config/docTable.test.ts compares them). Regenerate with:
 * node -r tsx/cjs -e "process.stdout.write(require('./src/config/docTable').configFieldTable())"
 */
function typeOf(n: SchemaNode): string {
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (n.enum) return n.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  if (n.type === 'array') return `${n.items ? typeOf(n.items) : 'any'}[]`;
  if (n.type === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object') return `map of ${typeOf(n.additionalProperties)}`;
  let t = n.type ?? 'any';
  const range = [n.minimum !== undefined ? `≥ ${n.minimum}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '', n.maximum !== undefined ? `≤ ${n.maximum}` : ''].filter(Boolean).join(', ');
  if (range) t += ` (${range})`;
  return t;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function configFieldTable(): string {
  const rows = ['| field | type | default | reloadable | secret | description |', '|---|---|---|---|---|---|'];
  for (const f of schemaFields()) {
    if (f.path[0] === '$schema') continue;
    const section = ROOT.properties?.[f.path[0]];
    const reloadable = f.path[0] === 'version' ? '-' : section?.['x-reloadable'] ? 'yes' : 'restart';
    const def = f.node.default === undefined ? '' : `\`${cell(JSON.stringify(f.node.default))}\``;
    rows.push(`| \`${f.path.join('.')}\` | ${cell(typeOf(f.node))} | ${def} | ${reloadable} | ${f.node['x-secret'] ? 'yes' : ''} | ${cell(f.node.description ?? '')} |`);
  }
  return rows.join('\n') + '\n';
}
