/**
 * `npm run bench [-- --smoke] [names...]`: runs the benchmarks in one process each, prints a
 * table per bench and writes bench/<name>.json (ratios against baselines measured in
 * the same run). `--smoke` runs each for about a second (CI keeps them from rotting).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BENCHES } from './registry';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const names = args.filter((a) => !a.startsWith('--'));
  const chosen = names.length ? names : Object.keys(BENCHES);
  const outDir = join(__dirname, '../../bench');
  mkdirSync(outDir, { recursive: true });
  for (const name of chosen) {
    const load = BENCHES[name];
    if (!load) throw new Error(`unknown bench '${name}' (have: ${Object.keys(BENCHES).join(', ')})`);
    const { table, result } = await load()({ smoke });
    process.stdout.write(`== ${name}\n${table}`);
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), smoke, result }, null, 2) + '\n');
  }
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exitCode = 1;
});
