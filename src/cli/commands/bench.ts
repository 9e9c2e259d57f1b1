import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';

/**
 * `kabosu bench <name> [--json] [--smoke]`: benchmarks that run on the device itself (the table
 * in tools/bench/registry.ts, bundled into the binary).
 */
import { BENCHES } from '../../../tools/bench/registry';

export const command: CliCommand = {
  summary: `run a benchmark on this machine (${Object.keys(BENCHES).join(', ')}); --json for JSON`,
  async run(ctx) {
    const [name, ...flags] = ctx.argv;
    const load = name ? BENCHES[name] : undefined;
    if (!load) throw new UsageError(name ? `unknown benchmark '${name}'` : 'kabosu bench needs a benchmark name', `benchmarks: ${Object.keys(BENCHES).join(', ')}`);
    const bad = flags.filter((f) => f !== '--json' && f !== '--smoke');
    if (bad.length) throw new UsageError(`unknown option ${bad[0]}`, 'options: --json, --smoke');
    const { table, result } = await load()({ smoke: flags.includes('--smoke') });
    ctx.stdout.write(flags.includes('--json') ? JSON.stringify(result) + '\n' : table);
    return 0;
  },
};
