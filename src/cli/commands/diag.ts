import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { localRequest } from '../../api/local/client';
import { checkConfigText, readConfigFile } from '../../config';
import { VirtualClock } from '../../hal/clock';
import { createSimMiner } from '../../sim';
import { parseFaultSpec } from '../../sim/faults/faultSpec';
import { runStandaloneDiagnostics } from '../../health/diagnostics';
import { formatDiag, type DiagReport } from '../../health/diagReport';

const USAGE =
  'usage: kabosu diag [--json] [--config FILE] [--data-dir DIR] [--dev] [--standalone] [--board ID] [--seed N] [--sim-fault JSON]...';

/**
 * `kabosu diag`: with a daemon running, asks it (local control socket, POST /v1/diag) for
 * diagnostics from live figures; with none (or `--standalone`), powers the boards itself and
 * runs the full test (chain scan, sensors, fan spin test, regulator and PSU readback). Only
 * simulated boards can be tested standalone in this build (no Linux hal backend yet); they run
 * on virtual time, so the spin test's settle waits cost no wall time. `--sim-fault` injects a
 * simulator fault first (demos, tests). Exit: 0 all ok, 1 faults found, 2 usage.
 */
export const command: CliCommand = {
  summary: 'run hardware diagnostics: chain scan, sensors, fan spin test, regulator and PSU readback (--json)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({
        args: ctx.argv,
        options: {
          ...PATH_OPTIONS,
          json: { type: 'boolean' },
          standalone: { type: 'boolean' },
          board: { type: 'string' },
          seed: { type: 'string' },
          'sim-fault': { type: 'string', multiple: true },
        },
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${values.seed}`, USAGE);
    const faults = (values['sim-fault'] ?? []).map((text) => {
      try {
        return parseFaultSpec(JSON.parse(text));
      } catch (err) {
        throw new UsageError(`--sim-fault: ${(err as Error).message}`, USAGE);
      }
    });
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    let report: DiagReport | undefined;
    if (!values.standalone && faults.length === 0) {
      try {
        report = await localRequest<DiagReport>(paths.socketPath, 'POST', '/v1/diag', 60_000);
      } catch (err) {
        if (!(err instanceof KabosuError && err.code === 'KBS_E_APP_NOT_RUNNING')) throw err;
      }
    }
    if (!report) report = await standalone({ configPath: existsSync(paths.configPath) ? paths.configPath : undefined, board: values.board, seed, faults });
    ctx.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatDiag(report));
    return report.ok ? 0 : 1;
  },
};

async function standalone(o: { configPath?: string; board?: string; seed?: number; faults: ReturnType<typeof parseFaultSpec>[] }): Promise<DiagReport> {
  let boardId = o.board ?? 'l3plus';
  let seed = o.seed ?? 1;
  if (o.configPath && !o.board) {
    const { config } = checkConfigText(readConfigFile(o.configPath), o.configPath, {});
    if (config.hashboards.backend !== 'sim') {
      throw new KabosuError('KBS_E_DIAG_BACKEND', `standalone diagnostics need simulated boards; ${o.configPath} uses the ${config.hashboards.backend} backend, which this build cannot drive yet`, {
        hint: 'run kabosu diag while the daemon runs, or pass --board ID to test simulated boards',
      });
    }
    boardId = config.hashboards.model;
    seed = o.seed ?? config.hashboards.sim.seed;
  }
  const clock = new VirtualClock();
  const log = pino({ level: 'silent' });
  const sim = createSimMiner({ boardId, seed, clock, transport: 'stream', pow: 'scrypt-sim', logger: log });
  try {
    sim.start();
    for (const f of o.faults) sim.control.inject(f);
    const run = runStandaloneDiagnostics({ hal: sim.hal, board: sim.board, clock, log, simulated: true });
    let done = false;
    run.then(() => (done = true), () => (done = true));
    while (!done) await clock.runFor(100);
    const r = await run;
    r.notes.push(`standalone on simulated ${boardId} boards (seed ${seed}), virtual time`);
    return r;
  } finally {
    await sim.stop();
  }
}
