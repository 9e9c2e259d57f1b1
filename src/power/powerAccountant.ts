import type { PowerStatus } from '../core/minerApi';
import { EnergyIntegrator } from './energyCounter';
import { estimateWatts, type PowerModelParams } from './powerModel';

/**
 * Power per board and total, pure apart from the injected persistence: each board's DC power is
 * estimated by the model (C·V²·f + leakage, prior from the board's published figure); when the
 * PSU reports its output, the estimates are scaled so they add up to the measured DC power
 * (less fans and controller), and the wall figure is the PSU's input. Energy integrates the wall
 * figure (kWh).
 */
export interface BoardPowerInput {
  enabled: boolean;
  volts: number | null;
  freqMHz: number | null;
  tempC: number | null;
}

export interface AccountantOptions {
  /** Per board, in board volts and MHz. */
  model: PowerModelParams;
  regulatorEfficiency: number;
  psuEfficiency: number;
  /** Fans + controller, W at the PSU output (estimated). */
  overheadW: number;
  startKwh: number;
  refTempC: number;
}

/**
 * Stated relative uncertainty per source: PMBus READ_PIN is typically within 2 % above 20 % load;
 * the model from the published figure (not fitted to this unit) within 15 %; a board's share of a
 * measured total (the model's split) within 5 %.
 */
export const POWER_UNCERTAINTY = { pmbus: 0.02, model: 0.15, boardShare: 0.05 } as const;

export class PowerAccountant {
  readonly energy: EnergyIntegrator;
  constructor(private readonly o: AccountantOptions) {
    this.energy = new EnergyIntegrator(o.startKwh * 3.6e6);
  }

  /** `overheadW`: fans + controller now (fan power from their duty), else the configured estimate. */
  update(nowMs: number, boards: readonly BoardPowerInput[], psu: { pinW: number; poutW: number } | null, limitW: number | null = null, overheadW = this.o.overheadW): PowerStatus {
    const est = boards.map((b) =>
      b.enabled && b.volts !== null && b.freqMHz !== null ? estimateWatts(this.o.model, { volts: b.volts, freqMHz: b.freqMHz, tempC: b.tempC ?? this.o.refTempC }) / this.o.regulatorEfficiency : 0,
    );
    const sum = est.reduce((a, b) => a + b, 0);
    let scale = 1;
    const measured = psu !== null && Number.isFinite(psu.pinW) && psu.pinW > 0;
    if (measured && sum > 0) scale = Math.max(0, psu.poutW - overheadW) / sum;
    const wall = measured ? psu.pinW : (sum + overheadW) / this.o.psuEfficiency;
    this.energy.add(nowMs, wall);
    return {
      boards: boards.map((b, i) => ({ index: i, enabled: b.enabled, voltage_v: b.volts, watts: b.enabled ? est[i] * scale : 0, measured: false })),
      wall_w: wall,
      measured,
      source: measured ? 'pmbus' : 'model',
      uncertainty_pct: (measured ? POWER_UNCERTAINTY.pmbus : POWER_UNCERTAINTY.model) * 100,
      energy_kwh: this.energy.kwh,
      limit_w: limitW,
    };
  }
}
