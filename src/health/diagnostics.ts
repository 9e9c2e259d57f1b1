import { readTmp451 } from '../hashboard/tmp451';
import type { Logger } from 'pino';
import type { Clock, GpioLine, I2cBus, Pwm, Tach, Uart } from '../hal/types';
import type { BoardDefinition } from '../config/boardSchema';
import { getChipFamily } from '../chips';
import { Chain } from '../chips/chainDriver';
import { regulatorFor } from '../power/regulatorFor';
import { PmbusPsu } from '../power/pmbusPsu';
import { checkFan, checkPsu, checkRegulator, checkSensor, type HwFault } from './hwFaults';
import type { DiagChain, DiagFan, DiagRegulator, DiagReport, DiagSensor } from './diagReport';

/**
 * On-demand diagnostics with the boards to itself (no daemon running): power each board up
 * through its regulator (readback), scan its chain (chips found vs expected, an addressed read
 * of every chip: response time, frame errors), read its sensors, step the fans' duty and read
 * their tachs, read the PSU, then power everything off. Hardware is reached only through hal,
 * so this runs on the simulator and on real boards alike.
 */
export interface DiagHal {
  uarts: Uart[];
  i2c: I2cBus[];
  sensorBuses: I2cBus[][];
  gpio: { reset: GpioLine[] };
  fans: { pwm: Pwm[]; tach: Tach[] };
}

export interface DiagOptions {
  hal: DiagHal;
  board: BoardDefinition;
  clock: Clock;
  log: Logger;
  simulated: boolean;
  /** Fan spin test duty steps (0..1) and settle time per step. */
  fanDuties?: number[];
  fanSettleMs?: number;
  /** Wait after DC-DC on before reset (stock 5 s; the simulator needs none). */
  powerSettleMs?: number;
  /** Addressed reads per chip in the chain scan (per-chip error rate). */
  readsPerChip?: number;
  /** Nominal PSU output for the sag check. */
  psuNominalV?: number;
}

export async function readSensors(hal: Pick<DiagHal, 'sensorBuses'>, board: BoardDefinition, chains: number[], faults: HwFault[]): Promise<DiagSensor[]> {
  const out: DiagSensor[] = [];
  const spec = board.hashBoard.sensors.find((s) => s.kind === 'tmp451');
  for (const c of chains) {
    const buses = hal.sensorBuses[c] ?? [];
    for (let k = 0; k < buses.length; k++) {
      const part = `chain${c}.sensor${k}`;
      try {
        const r = await readTmp451(buses[k], spec?.i2cAddress ?? 0x4c);
        out.push({ chain: c, sensor: k, local_c: r.localC, remote_c: r.remoteC });
        const f = checkSensor(part, c, { tempC: r.localC }) ?? checkSensor(part, c, { tempC: r.remoteC });
        if (f) faults.push(f);
      } catch (err) {
        const error = (err as Error).message;
        out.push({ chain: c, sensor: k, local_c: null, remote_c: null, error });
        faults.push(checkSensor(part, c, { error })!);
      }
    }
  }
  return out;
}

export async function readPsu(i2c: I2cBus[], board: BoardDefinition, nominalV: number, faults: HwFault[]): Promise<DiagReport['psu']> {
  const tel = board.psu.telemetry;
  if (!tel || tel.kind !== 'pmbus') return null;
  try {
    const r = await new PmbusPsu(i2c[tel.bus], tel.address).read();
    const f = checkPsu(r, nominalV);
    if (f) faults.push(f);
    return { vin_v: r.vinV, vout_v: r.voutV, pin_w: r.pinW, pout_w: r.poutW };
  } catch (err) {
    const error = (err as Error).message;
    // A stock PSU has no telemetry: a missing answer is only a fault when the board says it has one.
    if (!tel.stock) faults.push(checkPsu({ error }, nominalV)!);
    return { error };
  }
}

async function scanChain(o: DiagOptions, c: number, faults: HwFault[]): Promise<DiagChain> {
  const hb = o.board.hashBoard;
  const family = getChipFamily(hb.chipFamily);
  const chain = new Chain({ family, uart: o.hal.uarts[c], clock: o.clock, log: o.log, expectedChips: hb.chipsPerChain, chain: c, reset: o.hal.gpio.reset[c] });
  const res: DiagChain = { index: c, chips_expected: hb.chipsPerChain, chips_found: 0, no_answer: [], frames: 0, bad_frames: 0, error_rate: 0, chips: [] };
  try {
    await chain.resetChain();
    const got = await chain.readAll(family.regs.chipAddr, hb.chipsPerChain);
    res.chips_found = got.filter((r) => r.value >>> 16 === family.chipId).length;
    const addresses = await chain.assignAddresses(hb.chipsPerChain);
    const reads = o.readsPerChip ?? 3;
    for (let i = 0; i < addresses.length; i++) {
      let response: number | null = null;
      let failed = 0;
      for (let k = 0; k < reads; k++) {
        const t0 = o.clock.now();
        try {
          const v = await chain.readChip(addresses[i], family.regs.chipAddr);
          if (v >>> 16 !== family.chipId) failed++;
          else response ??= o.clock.now() - t0;
        } catch {
          failed++;
        }
      }
      if (failed === reads) res.no_answer.push(i);
      res.chips.push({ chip: i, address: addresses[i], response_ms: response, read_errors: failed, reads });
    }
  } catch (err) {
    res.error = (err as Error).message;
  } finally {
    const k = chain.counts;
    res.frames = k.frames;
    res.bad_frames = k.badCrc + k.badHeader + k.shortFrames;
    res.error_rate = res.frames + res.bad_frames > 0 ? res.bad_frames / (res.frames + res.bad_frames) : 0;
    chain.close();
  }
  if (res.chips_found < res.chips_expected) {
    faults.push({ kind: 'chain_chips_missing', part: `chain${c}`, board: c, severity: 'critical', message: `chain ${c}: ${res.chips_found} of ${res.chips_expected} chips answer${res.no_answer.length ? `; silent: ${res.no_answer.join(',')}` : ''}` });
  }
  if (res.error_rate > 0.01) faults.push({ kind: 'chain_frame_errors', part: `chain${c}`, board: c, severity: 'warning', message: `chain ${c}: ${(res.error_rate * 100).toFixed(1)} % of reply frames damaged (UART noise, cable)` });
  return res;
}

export async function spinTestFans(o: Pick<DiagOptions, 'hal' | 'board' | 'clock' | 'fanDuties' | 'fanSettleMs'>, faults: HwFault[]): Promise<DiagFan[]> {
  const fans = o.board.controller.fans;
  const duties = o.fanDuties ?? [0.3, 0.6, 1.0];
  const steps = fans.map(() => [] as { duty_pct: number; rpm: number | null }[]);
  const found = new Map<number, HwFault>();
  for (const d of duties) {
    for (const pwm of o.hal.fans.pwm) await pwm.setDuty(d);
    await o.clock.sleep(o.fanSettleMs ?? 5000);
    for (let i = 0; i < fans.length; i++) {
      let rpm: number | { error: string };
      try {
        rpm = await o.hal.fans.tach[i].readRpm();
      } catch (err) {
        rpm = { error: (err as Error).message };
      }
      steps[i].push({ duty_pct: d * 100, rpm: typeof rpm === 'number' ? rpm : null });
      const f = checkFan(`fan${i}`, d, rpm, fans[i].maxRpm);
      if (f && (!found.has(i) || f.severity === 'critical')) found.set(i, f);
    }
  }
  for (const pwm of o.hal.fans.pwm) await pwm.setDuty(1); // leave fans at full: safe whatever runs next
  faults.push(...found.values());
  return fans.map((f, i) => ({ index: i, max_rpm: f.maxRpm, steps: steps[i], ok: !found.has(i) }));
}

export async function runStandaloneDiagnostics(o: DiagOptions): Promise<DiagReport> {
  const t0 = o.clock.now();
  const hb = o.board.hashBoard;
  const faults: HwFault[] = [];
  const notes: string[] = [];
  const regulators: DiagRegulator[] = [];
  const chains: DiagChain[] = [];
  const sensors: DiagSensor[] = [];
  const reg = hb.regulator;
  const pics = Array.from({ length: hb.chains }, (_, c) => {
    try {
      return regulatorFor(o.board, o.hal.i2c, c, { clock: o.clock, log: o.log });
    } catch {
      return null;
    }
  });
  const fansP = spinTestFans(o, faults); // fans spin while the boards are tested
  try {
    for (let c = 0; c < hb.chains; c++) {
      const pic = pics[c];
      if (!pic) {
        regulators.push({ board: c, kind: reg.kind, set_v: null, read_v: null, error: `regulator kind ${reg.kind} has no driver in this build` });
        notes.push(`board ${c}: ${reg.kind} regulators are not driven by this build; chain scan skipped`);
        continue;
      }
      const r: DiagRegulator = { board: c, kind: reg.kind, set_v: null, read_v: null };
      regulators.push(r);
      try {
        r.version = await pic.softwareVersion();
        r.set_v = await pic.setVoltage(hb.voltage.stockV);
        await pic.enable(true);
        r.read_v = await pic.readVoltage();
        const f = checkRegulator(c, r.set_v, { volts: r.read_v });
        if (f) faults.push(f);
      } catch (err) {
        r.error = (err as Error).message;
        faults.push(checkRegulator(c, r.set_v, { error: r.error })!);
        continue;
      }
    }
    if (o.powerSettleMs) await o.clock.sleep(o.powerSettleMs);
    const scanned = await Promise.all(regulators.map((r) => (r.error ? null : scanChain(o, r.board, faults))));
    for (const s of scanned) if (s) chains.push(s);
    sensors.push(...(await readSensors(o.hal, o.board, regulators.filter((r) => !r.error).map((r) => r.board), faults)));
  } finally {
    for (const pic of pics) {
      if (!pic) continue;
      await pic.enable(false).catch(() => undefined);
      pic.stopHeartbeat();
    }
  }
  const fans = await fansP;
  const psu = await readPsu(o.hal.i2c, o.board, o.psuNominalV ?? 12, faults);
  return {
    mode: 'standalone',
    board: o.board.id,
    simulated: o.simulated,
    at_ms: t0,
    duration_ms: o.clock.now() - t0,
    ok: faults.length === 0,
    faults: faults.map(({ kind, part, board, severity, message }) => ({ kind, part, board, severity, message })),
    chains,
    sensors,
    fans,
    regulators,
    psu,
    notes,
  };
}
