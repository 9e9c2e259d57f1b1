/**
 * Applies and clears faults on a running simulated miner, and plays scenarios (fault lists with
 * times) on the injected clock. Each active fault keeps its own undo, so clearing restores
 * exactly what it changed; injecting the same kind on the same target replaces the old one.
 */
import type { Clock, TimerHandle } from '../../hal/types';
import { KabosuError } from '../../core/errors';
import type { SimHashBoard } from '../board';
import type { ChipModel } from '../physics/chipModel';
import type { MinerPhysics } from '../physics/minerPhysics';
import { sameTarget } from './faultSpec';
import type { FaultSpec, ScenarioStep } from './faultSpec';

export interface FaultTargets {
  clock: Clock;
  physics: MinerPhysics;
  boards: SimHashBoard[];
}

export interface ActiveFault extends FaultSpec {
  id: number;
  injectedAtMs: number;
}

interface Entry extends ActiveFault {
  undo: () => void;
}

export class FaultInjector {
  private readonly active: Entry[] = [];
  private readonly timers = new Set<TimerHandle>();
  private seq = 0;

  constructor(private readonly t: FaultTargets) {}

  list(): ActiveFault[] {
    return this.active.map(({ undo: _undo, ...f }) => ({ ...f, target: { ...f.target }, params: { ...f.params } }));
  }

  inject(spec: FaultSpec): ActiveFault {
    const existing = this.active.find((e) => sameTarget(e, spec));
    if (existing) this.clear(existing.id);
    const undo = this.apply(spec);
    const entry: Entry = { ...spec, id: ++this.seq, injectedAtMs: this.t.clock.now(), undo };
    this.active.push(entry);
    const { undo: _u, ...pub } = entry;
    return pub;
  }

  /** Clears one fault by id; false when there is none. */
  clear(id: number): boolean {
    const i = this.active.findIndex((e) => e.id === id);
    if (i < 0) return false;
    const [e] = this.active.splice(i, 1);
    e!.undo();
    return true;
  }

  /** Clears the active fault matching kind and target; false when there is none. */
  clearMatching(spec: FaultSpec): boolean {
    const e = this.active.find((x) => sameTarget(x, spec));
    return e ? this.clear(e.id) : false;
  }

  clearAll(): number {
    const n = this.active.length;
    while (this.active.length > 0) this.clear(this.active[this.active.length - 1]!.id);
    return n;
  }

  /** Schedules scenario steps relative to now. Returns how many were scheduled. */
  schedule(steps: ScenarioStep[]): number {
    for (const step of steps) {
      this.check(step); // reject a bad scenario before any of it runs
    }
    for (const step of steps) {
      const h = this.t.clock.setTimeout(() => {
        this.timers.delete(h);
        if (step.clear) this.clearMatching(step);
        else this.inject(step);
      }, step.at_ms);
      this.timers.add(h);
    }
    return steps.length;
  }

  /** Cancels pending scenario steps and clears every fault. */
  dispose(): void {
    for (const h of this.timers) h.cancel();
    this.timers.clear();
    this.clearAll();
  }

  private check(spec: FaultSpec): void {
    this.resolve(spec);
  }

  private resolve(spec: FaultSpec): { board?: SimHashBoard; chip?: number; sensor?: number; fan?: number } {
    const { boards, physics } = this.t;
    const t = spec.target;
    const need = (what: keyof typeof t, max: number): number => {
      const v = t[what];
      if (v === undefined) throw badTarget(spec, `target.${what} is required`);
      if (v >= max) throw badTarget(spec, `target.${what} ${v} is out of range (0..${max - 1})`);
      return v;
    };
    switch (spec.fault) {
      case 'chip-dead':
      case 'chip-silent':
      case 'chip-hw-errors': {
        const board = boards[need('chain', boards.length)]!;
        return { board, chip: need('chip', physics.chainAt(board.index).chips.length) };
      }
      case 'sensor-stuck':
      case 'sensor-absent':
      case 'sensor-implausible': {
        const board = boards[need('chain', boards.length)]!;
        return { board, sensor: need('sensor', board.sensors.length) };
      }
      case 'fan-seized':
      case 'tach-lost':
        return { fan: need('fan', physics.fans.length) };
      case 'uart-noise':
      case 'chain-unplugged':
      case 'regulator-fault':
        return { board: boards[need('chain', boards.length)]! };
      case 'psu-sag':
      case 'ambient-step':
        return {};
    }
  }

  private apply(spec: FaultSpec): () => void {
    const r = this.resolve(spec);
    const p = spec.params;
    const physics = this.t.physics;
    const chipOf = (): ChipModel => physics.chainAt(r.board!.index).chips[r.chip!]!;
    switch (spec.fault) {
      case 'chip-dead': {
        const chip = chipOf();
        chip.faults.dead = true;
        return () => (chip.faults.dead = false);
      }
      case 'chip-silent': {
        const chip = chipOf();
        const h = this.t.clock.setTimeout(() => (chip.faults.silent = true), p.after_ms ?? 0);
        if ((p.after_ms ?? 0) === 0) chip.faults.silent = true;
        return () => {
          h.cancel();
          chip.faults.silent = false;
        };
      }
      case 'chip-hw-errors': {
        const chip = chipOf();
        chip.faults.hwErrorProbability = p.probability ?? 0.2;
        return () => (chip.faults.hwErrorProbability = null);
      }
      case 'uart-noise': {
        const chain = r.board!.built.chain;
        chain.setUartNoise({ bitFlipProb: p.bit_flip_prob ?? 0.001, dropProb: p.drop_prob ?? 0.001 });
        return () => chain.setUartNoise(null);
      }
      case 'sensor-stuck': {
        const s = r.board!.sensors[r.sensor!]!.device;
        s.stuck = true;
        return () => (s.stuck = false);
      }
      case 'sensor-absent': {
        const s = r.board!.sensors[r.sensor!]!.device;
        s.present = false;
        const board = r.board!;
        return () => (s.present = board.plugged);
      }
      case 'sensor-implausible': {
        const s = r.board!.sensors[r.sensor!]!.device;
        s.implausibleC = p.value_c ?? 0;
        return () => (s.implausibleC = null);
      }
      case 'fan-seized': {
        const f = physics.fans[r.fan!]!;
        f.seized = true;
        return () => (f.seized = false);
      }
      case 'tach-lost': {
        const f = physics.fans[r.fan!]!;
        f.tachLost = true;
        return () => (f.tachLost = false);
      }
      case 'psu-sag': {
        const refresh = (): void => physics.chains.forEach((c) => physics.refresh(c.index));
        physics.supplyScale = p.scale ?? 0.9;
        refresh();
        return () => {
          physics.supplyScale = 1;
          refresh();
        };
      }
      case 'ambient-step': {
        const before = physics.ambientC;
        physics.ambientC = p.to_c ?? before + (p.delta_c ?? 10);
        return () => (physics.ambientC = before);
      }
      case 'chain-unplugged': {
        const b = r.board!;
        b.setPlugged(false);
        return () => b.setPlugged(true);
      }
      case 'regulator-fault': {
        const b = r.board!;
        if ((p.mode ?? 'output-off') === 'no-answer') {
          const pic = b.pic;
          pic.present = false;
          return () => (pic.present = true);
        }
        b.setRegulatorFault(true);
        return () => b.setRegulatorFault(false);
      }
    }
  }
}

function badTarget(spec: FaultSpec, why: string): KabosuError {
  return new KabosuError('KBS_E_SIM_FAULT_TARGET', `fault ${spec.fault}: ${why}`, {
    hint: 'chains, chips, sensors and fans are numbered from 0',
    context: { fault: spec.fault, target: spec.target },
  });
}
