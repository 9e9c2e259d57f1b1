import type { Logger } from 'pino';
import { TypedEmitter } from '../core/events';
import type { Clock } from '../hal/types';
import { rampVoltage } from './voltageRamp';

/**
 * The power switch and voltage of every hash board, shared by whoever must act on it: mining
 * powers boards up and down, the safety interlock powers a board off, tuning sets voltage. One
 * owner of the regulators, so nobody powers a board on behind the interlock's back.
 */
export interface BoardRegulator {
  setVoltage(volts: number): Promise<number>;
  readVoltage(): Promise<number>;
  enable(on: boolean): Promise<void>;
  /** Stop any periodic traffic (heartbeat) without touching the output. */
  stopHeartbeat?(): void;
}

export interface BoardPowerEvents {
  /** A board's output changed; `reason` says who and why. */
  power: { board: number; on: boolean; reason: string; atMs: number };
}

export class BoardPowerError extends Error {}

export class BoardPower {
  readonly events = new TypedEmitter<BoardPowerEvents>();
  private readonly on: boolean[];
  /** Boards locked off (interlock trip) until `unlock(board)`: enable() refuses them. */
  private readonly lockedOff = new Map<number, string>();
  /** Last voltage each regulator accepted (null until set). */
  private readonly setV: (number | null)[];

  constructor(
    readonly regulators: readonly BoardRegulator[],
    /** `ramp`: soft-start, voltage changes in steps of at most maxStepV every stepMs. */
    private readonly o: { clock: Clock; log: Logger; ramp?: { maxStepV: number; stepMs: number } },
  ) {
    this.on = regulators.map(() => false);
    this.setV = regulators.map(() => null);
  }

  /** The voltage last set on a board (what its readback should show), or null. */
  voltageSet(board: number): number | null {
    return this.setV[board] ?? null;
  }

  /** Regulator readback, volts. */
  async readVoltage(board: number): Promise<number> {
    return this.regulators[board].readVoltage();
  }

  get boards(): number {
    return this.regulators.length;
  }

  isEnabled(board: number): boolean {
    return this.on[board] === true;
  }

  lockReason(board: number): string | undefined {
    return this.lockedOff.get(board);
  }

  async setVoltage(board: number, volts: number): Promise<number> {
    const reg = this.regulators[board];
    const from = this.setV[board];
    const got = this.o.ramp && from !== null && this.on[board] ? await rampVoltage((v) => reg.setVoltage(v), from, volts, { clock: this.o.clock, ...this.o.ramp }) : await reg.setVoltage(volts);
    this.setV[board] = got;
    return got;
  }

  /** Powers a board on; refuses a board the interlock locked off. */
  async enable(board: number, reason: string): Promise<void> {
    const lock = this.lockedOff.get(board);
    if (lock !== undefined) throw new BoardPowerError(`board ${board} is locked off (${lock}); it comes back after cool-down and re-init`);
    await this.regulators[board].enable(true);
    this.set(board, true, reason);
  }

  /** Powers a board off. `lock` keeps it off until unlock(board) (interlock trips). */
  async disable(board: number, reason: string, opts: { lock?: boolean } = {}): Promise<void> {
    if (opts.lock) this.lockedOff.set(board, reason);
    try {
      await this.regulators[board].enable(false);
    } finally {
      // Whatever the bus said, stop the heartbeat so the PIC's own watchdog also cuts power.
      this.regulators[board].stopHeartbeat?.();
      this.set(board, false, reason);
    }
  }

  unlock(board: number): void {
    this.lockedOff.delete(board);
  }

  /** Every board off (daemon stop); errors on one board do not spare the others. */
  async disableAll(reason: string): Promise<void> {
    const results = await Promise.allSettled(this.regulators.map((_r, b) => this.disable(b, reason)));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) this.o.log.error({ failed: failed.length, reason }, 'could not confirm every board off');
  }

  private set(board: number, on: boolean, reason: string): void {
    if (this.on[board] === on) return;
    this.on[board] = on;
    this.o.log.info({ board, on, reason }, on ? 'board powered on' : 'board powered off');
    this.events.emit('power', { board, on, reason, atMs: this.o.clock.now() });
  }
}
