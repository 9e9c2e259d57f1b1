/** Builds sim + PIC regulators + BoardPower + ThermalController on a VirtualClock (shared by thermal tests). */
import pino from 'pino';
import { VirtualClock } from '../../src/hal/clock';
import { BoardPower } from '../../src/power/boardPower';
import { PicOldRegulator } from '../../src/power/picOld';
import { createSimMiner } from '../../src/sim';
import { limitsFor, DEFAULT_PID } from '../../src/thermal/defaults';
import { Fans } from '../../src/thermal/fans';
import { ThermalController } from '../../src/thermal/thermalController';

export const log = pino({ level: 'silent' });

export async function thermalRig(seed: number, opts: { ambientC?: number; timeScale?: number } = {}) {
  const clock = new VirtualClock();
  const sim = createSimMiner({ boardId: 'l3plus', seed, clock, ambientC: opts.ambientC ?? 25, timeScale: opts.timeScale ?? 1, stepMs: 250 });
  const hb = sim.board.hashBoard;
  const regs = hb.regulator.addresses.map((address, chain) => new PicOldRegulator({ bus: sim.hal.i2c[hb.regulator.bus], address, chain, clock, log, codeOffsetV: hb.regulator.codeOffsetV, codeSlopeV: hb.regulator.codeSlopeV }));
  const power = new BoardPower(regs, { clock, log });
  const fans = new Fans(sim.hal.fans.pwm, sim.hal.fans.tach);
  const fanModels = sim.board.controller.fans.map((f: { maxRpm: number }) => ({ maxRpm: f.maxRpm, startDuty: 10 }));
  const thermal = hb.thermal as { targetC: number; hotC: number; dangerousC: number };
  const { policy, interlock } = limitsFor(thermal);
  const ctl = new ThermalController({ clock, log, power, sensorBuses: sim.hal.sensorBuses, fans, fanModels, interlock, policy, pid: DEFAULT_PID, tickMs: 250, resetLines: sim.hal.gpio.reset });
  sim.start();
  for (let b = 0; b < regs.length; b++) await power.enable(b, 'test');
  /** The invariant, on the simulator's TRUE state: ms each board has been powered at >= dangerous. */
  const overSince: (number | null)[] = regs.map(() => null);
  let worstMs = 0;
  const check = () => {
    const s = sim.control.state();
    for (const c of s.chains) {
      const hot = c.powered && c.maxDieC >= thermal.dangerousC;
      if (!hot) { overSince[c.chain] = null; continue; }
      overSince[c.chain] ??= s.timeMs;
      worstMs = Math.max(worstMs, s.timeMs - overSince[c.chain]!);
    }
  };
  const run = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) { await clock.runFor(250, 250); check(); }
  };
  return { clock, sim, power, fans, ctl, thermal, run, worst: () => worstMs, stop: async () => { ctl.stop(); await sim.stop(); } };
}
