/**
 * The thin shell around the pure Autotuner: every `windowMs` on the injected clock it reads each
 * chip's nonce and HW-error counts (the hashboard's MiningStats, deltas since the last window),
 * board temperatures and wall power, asks the tuner, and applies its settings through the same
 * interfaces as everything else (BoardPower.setVoltage, Chain.setFrequency per chip).
 *
 * Safe ramping: when a board's voltage goes down, its chips first move down to the new
 * frequencies, then the voltage follows; when it goes up, the voltage rises first, then the
 * chips. So the voltage is never below what the frequencies running at that moment were tuned
 * for. The window during which settings change is discarded (its counts mix two settings).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../hal/types';
import type { Autotuner, TunerEvent } from './autotuner';
import type { ChipCounts, Measurement, PowerReading, Settings } from './types';

export interface TuningHardware {
  readonly boards: number;
  setVoltage(board: number, volts: number): Promise<number>;
  setChipFrequency(board: number, chip: number, mhz: number): Promise<number>;
  /** Cumulative counts per chip since mining started. */
  chipCounts(board: number): ChipCounts[];
  /** The temperature the spec's hotC limits on this board (°C; the daemon: its hottest die), null when unknown. */
  boardTempC(board: number): number | null;
  /** Hashes one nonce stands for on this board now (ticket difficulty x 65536). */
  hashesPerNonce(board: number): number;
}

export interface DriverOptions {
  tuner: Autotuner;
  hw: TuningHardware;
  power: PowerReading;
  clock: Clock;
  log: Logger;
  windowMs?: number;
  /** Called with the tuner's events after each window (the component raises them). */
  /** After every measurement window, with the events it raised (possibly none). */
  onEvents?(events: TunerEvent[]): void;
}

export class TuningDriver {
  private timer: TimerHandle | null = null;
  private applied: Settings | null = null;
  private base: ChipCounts[][] = [];
  private busy = false;
  private windowStartMs = 0;
  readonly windowMs: number;
  windows = 0;

  constructor(private readonly o: DriverOptions) {
    this.windowMs = o.windowMs ?? 5000;
  }

  get tuner(): Autotuner {
    return this.o.tuner;
  }

  /** Applies the tuner's starting settings and starts the window timer. */
  async start(): Promise<void> {
    await this.apply(this.o.tuner.settings());
    this.rebase();
    this.timer = this.o.clock.setInterval(() => void this.tick(), this.windowMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** One window: measure, decide, apply. Skipped while the previous apply is still running. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.o.clock.now();
      const boards = Array.from({ length: this.o.hw.boards }, (_, b) => {
        const cur = this.o.hw.chipCounts(b);
        const base = this.base[b] ?? [];
        return {
          chips: cur.map((c, i) => ({ nonces: Math.max(0, c.nonces - (base[i]?.nonces ?? 0)), hwErrors: Math.max(0, c.hwErrors - (base[i]?.hwErrors ?? 0)) })),
          boardC: this.o.hw.boardTempC(b),
          hashesPerNonce: this.o.hw.hashesPerNonce(b),
        };
      });
      const m: Measurement = { nowMs: now, windowMs: Math.max(1, now - this.windowStartMs), boards, wallPowerW: await this.o.power.wallPowerW() };
      const next = this.o.tuner.update(m);
      this.windows++;
      const events = this.o.tuner.drainEvents();
      // Every window, even without events: convergence can be reached in a window that raises
      // none, and the listener saves the profile on convergence.
      this.o.onEvents?.(events);
      if (!sameSettings(next, this.applied)) await this.apply(next);
      this.rebase();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'tuning window failed; trying again next window');
      this.rebase();
    } finally {
      this.busy = false;
    }
  }

  private rebase(): void {
    this.base = Array.from({ length: this.o.hw.boards }, (_, b) => this.o.hw.chipCounts(b).map((c) => ({ ...c })));
    this.windowStartMs = this.o.clock.now();
  }

  private async apply(next: Settings): Promise<void> {
    const prev = this.applied;
    await Promise.all(
      next.voltageV.map(async (v, b) => {
        const oldV = prev?.voltageV[b];
        const freqs = next.freqMHz[b]!;
        const oldF = prev?.freqMHz[b];
        const down = (c: number): boolean => oldF === undefined || freqs[c]! < oldF[c]!;
        const up = (c: number): boolean => oldF !== undefined && freqs[c]! > oldF[c]!;
        if (oldV === undefined || v < oldV) {
          await this.setFreqs(b, freqs, down);
          if (oldV !== v) await this.o.hw.setVoltage(b, v);
          await this.setFreqs(b, freqs, up);
        } else {
          if (oldV !== v) await this.o.hw.setVoltage(b, v);
          await this.setFreqs(b, freqs, (c) => down(c) || up(c));
        }
      }),
    );
    this.applied = { voltageV: [...next.voltageV], freqMHz: next.freqMHz.map((r) => [...r]) };
  }

  private async setFreqs(b: number, freqs: number[], which: (c: number) => boolean): Promise<void> {
    for (let c = 0; c < freqs.length; c++) if (which(c)) await this.o.hw.setChipFrequency(b, c, freqs[c]!);
  }
}

function sameSettings(a: Settings, b: Settings | null): boolean {
  if (!b) return false;
  return a.voltageV.every((v, i) => v === b.voltageV[i]) && a.freqMHz.every((row, i) => row.every((f, c) => f === b.freqMHz[i]![c]));
}
