/**
 * Every relative link in the docs and the READMEs resolves: the file exists and, with a
 * `#anchor`, a heading of that slug exists in it (GitHub's slug rules: lower case, punctuation
 * dropped, spaces to dashes). External links (http:, mailto:) are not fetched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '.kabosu']);

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...markdownFiles(p));
    else if (name.endsWith('.md')) out.push(p);
  }
  return out;
}

export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const s = slug(m[1]!.replace(/`/g, ''));
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

test('slugs follow GitHub: punctuation dropped, spaces to dashes', () => {
  assert.is(slug('Embedded broker (`npm start`)'.replace(/`/g, '')), 'embedded-broker-npm-start');
  assert.is(slug('Low or zero hashrate'), 'low-or-zero-hashrate');
});

test('every relative link in docs/ and the READMEs resolves, anchors included', () => {
  const files = [...markdownFiles(join(root, 'docs')), ...markdownFiles(join(root, 'src')), ...markdownFiles(join(root, 'tools')), join(root, 'README.md')].filter((f) => existsSync(f));
  const broken: string[] = [];
  let checked = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const href = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
      const [path, anchor] = href.split('#') as [string, string | undefined];
      const target = path === '' ? f : resolve(dirname(f), decodeURIComponent(path));
      checked++;
      if (!target.startsWith(root) && path.startsWith('../')) continue; // the steering repo (../shared) is outside this checkout
      if (!existsSync(target)) { broken.push(`${relative(root, f)}: ${href} (no such file)`); continue; }
      if (anchor && target.endsWith('.md') && !anchors(target).has(anchor.toLowerCase())) broken.push(`${relative(root, f)}: ${href} (no heading #${anchor})`);
    }
  }
  assert.ok(checked >= 5, `links checked: ${checked}`);
  assert.equal(broken, []);
});

test.run();
