import { formatDiag, type DiagReport } from '../../health/diagReport';
import { ConsoleUsageError, type ConsoleCommand } from './context';
import { chainsView, chipView, fansView, poolsView, powerView, statusView, tempsView } from './views';

/** The read-only commands: one status or chips read each, rendered as text. */
const view = (name: string, summary: string, render: (ctx: Parameters<ConsoleCommand['run']>[0]) => Promise<string>): ConsoleCommand => ({
  name,
  usage: name,
  summary,
  daemon: true,
  async run(ctx) {
    if (ctx.args.length > 0) throw new ConsoleUsageError(name, `${name} takes no arguments`);
    ctx.out(await render(ctx));
  },
});

export const READ_COMMANDS: ConsoleCommand[] = [
  view('status', 'state, hashrate, shares, pool, thermal and power at a glance', async (c) => statusView(await c.link.status(), c.style)),
  view('chains', 'per chain: chips found, frequency, hashrate, nonces, errors', async (c) => chainsView((await c.link.status()).chains)),
  {
    name: 'chip',
    usage: 'chip CHAIN CHIP',
    summary: 'one chip: frequency, nonces, HW errors, health, temperature if known',
    daemon: true,
    async run(ctx) {
      const [a, b] = ctx.args;
      if (ctx.args.length !== 2 || !/^\d{1,3}$/.test(a) || !/^\d{1,4}$/.test(b)) throw new ConsoleUsageError('chip CHAIN CHIP', 'chip needs a chain and a chip number, e.g. chip 0 12');
      const [chips, s] = await Promise.all([ctx.link.chips(), ctx.link.status()]);
      const chip = chips.find((c) => c.chain === Number(a) && c.chip === Number(b));
      if (!chip) {
        const chain = s.chains.find((c) => c.index === Number(a));
        ctx.out(chain ? `chain ${a} has chips 0..${chain.chips_found - 1}; no chip ${b}\n` : `no chain ${a} (chains: ${s.chains.map((c) => c.index).join(', ') || 'none'})\n`);
        return;
      }
      ctx.out(chipView(chip, s.thermal));
    },
  },
  view('temps', 'board and chip temperatures, thermal state, interlock', async (c) => tempsView((await c.link.status()).thermal, c.style)),
  view('fans', 'fan speeds, duty and mode', async (c) => fansView((await c.link.status()).thermal)),
  view('power', 'per board voltage and watts, wall power, energy', async (c) => powerView((await c.link.status()).power)),
  view('pools', 'pool state, latency, difficulty, shares and last error', async (c) => poolsView((await c.link.status()).pools)),
  {
    name: 'diag',
    usage: 'diag',
    summary: 'hardware diagnostics, the same as `kabosu diag` (Ctrl-C stops waiting)',
    daemon: true,
    async run(ctx) {
      ctx.out('running diagnostics (chain scan, sensors, fans, regulators, PSU) ');
      const started = Date.now();
      const work = ctx.link.diag();
      work.catch(() => undefined);
      for (;;) {
        const step = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), ctx.sleep(1000).then((ok) => (ok ? ('tick' as const) : ('abort' as const)))]);
        if (step === 'done') break;
        if (step === 'abort') {
          ctx.out('\nstopped waiting; the daemon finishes the run on its own\n');
          return;
        }
        ctx.out('.');
      }
      const report = (await work) as DiagReport;
      ctx.out(` ${((Date.now() - started) / 1000).toFixed(1)} s\n` + formatDiag(report));
    },
  },
];
