/**
 * `kabosu bench thermal`: the fan PID on the simulated L3+ (virtual time, physics x40) through
 * an ambient step of +10 C and a load step (board voltage +0.5 V), against a fixed-duty
 * baseline (the duty the PID had settled at before the step). Reports overshoot, settling
 * time (back within +/-2 C and staying), duty oscillation amplitude (peak-to-peak over the
 * last third) and steady-state error (mean |T - target| over the last third).
 */
import { thermalRig } from '../../test/integration/thermalHarness';

export interface StepMetrics {
  controller: 'pid' | 'fixed';
  step: 'ambient+10C' | 'load+0.5V';
  overshootC: number;
  settlingS: number | null;
  dutyPeakToPeak: number;
  steadyStateErrorC: number;
  finalC: number;
}

const SAMPLE_MS = 250;

export async function runStep(step: StepMetrics['step'], controller: StepMetrics['controller'], o: { settleMs: number; afterMs: number; seed?: number }): Promise<StepMetrics> {
  const rig = await thermalRig(o.seed ?? 11, { timeScale: 40, ambientC: 35 });
  try {
    rig.ctl.start();
    await rig.run(o.settleMs);
    if (controller === 'fixed') rig.ctl.setMode({ mode: 'manual', duty: rig.fans.commandedDuty });
    const target = rig.thermal.targetC;
    if (step === 'ambient+10C') rig.sim.control.inject({ fault: 'ambient-step', target: {}, params: { delta_c: 10 } } as never);
    else for (let b = 0; b < rig.power.boards; b++) await rig.power.setVoltage(b, (rig.sim.board.hashBoard.voltage.stockV as number) + 0.5);
    const temps: number[] = [];
    const duties: number[] = [];
    const t0 = rig.clock.now();
    while (rig.clock.now() - t0 < o.afterMs) {
      await rig.run(SAMPLE_MS);
      temps.push(rig.ctl.hottestC() ?? Number.NaN);
      duties.push(rig.fans.commandedDuty);
    }
    let lastOut = -1;
    temps.forEach((t, i) => { if (Math.abs(t - target) > 2) lastOut = i; });
    const tail = Math.floor(temps.length * (2 / 3));
    const tailT = temps.slice(tail);
    const tailD = duties.slice(tail);
    return {
      controller,
      step,
      overshootC: Math.max(0, Math.max(...temps) - target),
      settlingS: lastOut === temps.length - 1 ? null : ((lastOut + 1) * SAMPLE_MS) / 1000,
      dutyPeakToPeak: Math.max(...tailD) - Math.min(...tailD),
      steadyStateErrorC: tailT.reduce((a, t) => a + Math.abs(t - target), 0) / tailT.length,
      finalC: temps[temps.length - 1],
    };
  } finally {
    await rig.stop();
  }
}

export async function benchThermal(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const opts = o.smoke ? { settleMs: 60000, afterMs: 60000 } : { settleMs: 150000, afterMs: 150000 };
  const rows: StepMetrics[] = [];
  for (const step of ['ambient+10C', 'load+0.5V'] as const) for (const c of ['pid', 'fixed'] as const) rows.push(await runStep(step, c, opts));
  const table =
    `thermal (virtual time, physics x40; ${opts.afterMs / 1000} s after each step; times are simulated clock s, physics 40x)\n` +
    rows.map((r) => `  ${r.step.padEnd(12)} ${r.controller.padEnd(6)} overshoot ${r.overshootC.toFixed(2)} C, settling ${r.settlingS === null ? 'never' : r.settlingS.toFixed(1) + ' s'}, duty p-p ${r.dutyPeakToPeak.toFixed(2)} %, steady error ${r.steadyStateErrorC.toFixed(2)} C, final ${r.finalC.toFixed(2)} C`).join('\n') + '\n';
  return { table, result: { name: 'thermal', smoke: o.smoke, timeScale: 40, rows } };
}
