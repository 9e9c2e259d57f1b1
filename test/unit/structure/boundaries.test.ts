import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The "may import" rule of every src/ folder, checked: each folder README carries one line
 * `Imports (checked): a, b, hal/types` naming the areas its files may import (`*` for the
 * composition root and the CLI, src/ areas only; `hal` allows every `hal/*`; `board`, `package.json` and `tools`
 * name the files outside src/). This test reads every relative import in src/ and fails on one
 * the importing folder's README does not allow.
 *
 * KNOWN lists today's violations (issue #16), each to be removed when it is fixed: a listed
 * violation that no longer occurs fails the test too, so the list only shrinks.
 */
const KNOWN: Record<string, string> = {
  'api -> app': 'the HTTP and :4028 servers reach the daemon through app types',
  'hal -> sim': 'hal/sim backends import the simulator',
  'health -> hashboard': 'health reads hashboard internals (frequency owner, mining stats)',
  'thermal -> hashboard': 'thermal reads hashboard internals',
  'cli -> tools': 'the CLI imports tools/bench (kabosu bench)',
};

const repo = join(__dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return n.endsWith('.ts') ? [p] : [];
  });
}

/** `src/hal/linux/x.ts` -> `hal/linux`; `src/chips/bm1485/x.ts` -> `chips`; outside src: `board`, `tools`. */
function areaOf(root: string, path: string): string {
  const rel = relative(root, path).split('/');
  if (rel[0] !== 'src') return rel[0];
  // src/main.ts is the root; `../config` (a folder's index.ts) is the config area
  if (rel.length === 2 && (rel[1].endsWith('.ts') || existsSync(`${path}.ts`))) return '(root)';
  if (rel[1] === 'hal' && rel.length > 2) return `hal/${rel[2].replace(/\.ts$/, '')}`;
  return rel[1];
}

function allowed(root: string, area: string): string[] | undefined {
  const readme = join(root, 'src', area, 'README.md');
  if (!existsSync(readme)) return undefined;
  const line = readFileSync(readme, 'utf8').split('\n').find((l) => l.startsWith('Imports (checked):'));
  return line?.slice('Imports (checked):'.length).replace(/\(.*\)\.?\s*$/, '').split(',').map((s) => s.trim().replace(/`/g, '')).filter(Boolean);
}

const IMPORT = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function violations(root = repo): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of tsFiles(join(root, 'src'))) {
    const from = areaOf(root, file).split('/')[0];
    if (from === '(root)') continue; // src/main.ts: the entry, like the CLI
    const rules = allowed(root, from) ?? [];
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = areaOf(root, normalize(join(dirname(file), m[1])));
      if (target.split('/')[0] === from) continue;
      const inSrc = relative(root, normalize(join(dirname(file), m[1]))).startsWith('src/');
      const ok = (inSrc && rules.includes('*')) || rules.includes(target) || rules.includes(target.split('/')[0]);
      if (ok) continue;
      const key = `${from} -> ${target.split('/')[0]}`;
      out.set(key, [...(out.get(key) ?? []), `${relative(root, file)} imports ${m[1]}`]);
    }
  }
  return out;
}

test('every src/ folder README states what it may import in a checked line', () => {
  const src = join(repo, 'src');
  const missing = readdirSync(src)
    .filter((n) => statSync(join(src, n)).isDirectory())
    .filter((n) => allowed(repo, n) === undefined);
  assert.equal(missing, [], `add "Imports (checked): ..." to src/${missing.join('/README.md, src/')}/README.md`);
});

test('no folder imports what its README does not allow, beyond the known violations of issue #16', () => {
  const found = violations();
  const fresh = [...found].filter(([k]) => !(k in KNOWN));
  assert.equal(fresh.map(([k, where]) => `${k}: ${where.join('; ')}`), [], 'new import-boundary violations (fix the import, or the README if the rule was wrong)');
  const fixed = Object.keys(KNOWN).filter((k) => !found.has(k));
  assert.equal(fixed, [], 'fixed violations still listed in KNOWN: remove them');
});

test('the checker reports an import its rules do not allow, and passes allowed ones, hal sub-areas and * alike', () => {
  const root = mkdtempSync(join(tmpdir(), 'kabosu-boundaries-'));
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  try {
    put('src/a/README.md', '# a\n\nImports (checked): core, hal/types\n');
    put('src/a/x.ts', "import { c } from '../core/c';\nimport type { T } from '../hal/types';\nconst l = require('../hal/linux/gpio');\nexport { b } from './../b/y';\n");
    put('src/app/README.md', 'Imports (checked): *\n');
    put('src/app/z.ts', "import { a } from '../a/x';\nimport { t } from '../../tools/bench/run';\n");
    put('src/core/c.ts', '');
    const found = violations(root);
    // '*' covers src/ areas only: tools/ must be named
    assert.equal([...found.keys()].sort(), ['a -> b', 'a -> hal', 'app -> tools']);
    assert.equal(found.get('a -> hal'), ["src/a/x.ts imports ../hal/linux/gpio"]);
    assert.equal(found.get('a -> b'), ['src/a/x.ts imports ./../b/y']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
