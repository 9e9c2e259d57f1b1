import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { REPORT_FILE } from '../../app/tuning';
import { readJson } from '../../store';
import { formatReport } from '../../tuning/report';
import type { TuningReport } from '../../tuning/report';
import type { TuningTarget } from '../../tuning/types';

/**
 * `kabosu tune report [--json]`: what the tuner found (per-board voltage, frequency histogram,
 * weak chips, expected hashrate/power/efficiency, what other targets would give), as the daemon
 * saved it in the data directory when it converged. `--simulate` tunes a simulated miner in
 * virtual time instead (no daemon needed): `--board l3plus|l7 --seed N --target
 * efficiency|power|hashrate [--power W] [--floor MH/s]`.
 */
const USAGE = 'usage: kabosu tune report [--json] [--config FILE] [--data-dir DIR] [--dev] | kabosu tune report --simulate [--board l3plus] [--seed 1] [--target efficiency] [--power W] [--floor MHs] [--json]';

export const command: CliCommand = {
  summary: 'what the autotuner found: voltages, frequencies, weak chips, expected figures (tune report [--json] [--simulate])',
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    if (sub !== 'report') throw new UsageError(sub ? `unknown tune command '${sub}'` : 'kabosu tune needs a command', USAGE);
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: {
          ...PATH_OPTIONS,
          json: { type: 'boolean' },
          simulate: { type: 'boolean' },
          board: { type: 'string' },
          seed: { type: 'string' },
          target: { type: 'string' },
          power: { type: 'string' },
          floor: { type: 'string' },
        },
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    let report: TuningReport;
    if (values.simulate) {
      report = simulate(values);
    } else {
      const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
      const file = join(paths.dataDir, REPORT_FILE);
      const r = readJson<TuningReport>(file);
      if (!r) throw new KabosuError('KBS_E_TUNING_NO_REPORT', `no tuning report in ${paths.dataDir}`, { hint: 'the daemon writes it once tuning converges (set tuning.target or tuning.preset); or try --simulate' });
      report = r.data;
    }
    ctx.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return 0;
  },
};

function num(x: string | undefined, what: string, dflt?: number): number {
  if (x === undefined) {
    if (dflt === undefined) throw new UsageError(`--${what} is needed`, USAGE);
    return dflt;
  }
  const n = Number(x);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${what} must be a non-negative number, got '${x}'`, USAGE);
  return n;
}

function simulate(v: { board?: string; seed?: string; target?: string; power?: string; floor?: string }): TuningReport {
  const board = v.board ?? 'l3plus';
  if (board !== 'l3plus' && board !== 'l7') throw new UsageError(`--board must be l3plus or l7, got '${board}'`, USAGE);
  const seed = Math.floor(num(v.seed, 'seed', 1));
  // Loaded lazily: the rig lives with the benchmarks (tools/bench), bundled like them.
  const { runScenario } = require('../../../tools/bench/tuneScenario') as typeof import('../../../tools/bench/tuneScenario');
  const { loadBoard } = require('../../config/boardLoader') as typeof import('../../config/boardLoader');
  const { tuningReport } = require('../../tuning/report') as typeof import('../../tuning/report');
  const pub = loadBoard(board).published;
  let target: TuningTarget;
  switch (v.target ?? 'efficiency') {
    case 'efficiency':
      target = { kind: 'efficiency', minHashrateHps: num(v.floor, 'floor', pub.hashrateHps / 1e6) * 1e6 };
      break;
    case 'power':
      target = { kind: 'power', maxPowerW: num(v.power, 'power', Math.round(pub.wallPowerW * 0.8)) };
      break;
    case 'hashrate':
      target = { kind: 'hashrate', hashrateHps: v.floor === undefined ? null : num(v.floor, 'floor') * 1e6 };
      break;
    default:
      throw new UsageError(`--target must be efficiency, power or hashrate, got '${v.target}'`, USAGE);
  }
  const r = runScenario({ board, seed, target, holdMinutes: 5 });
  return tuningReport(r.tuner, r.rig.nowMs, pub);
}
