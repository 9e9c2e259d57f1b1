import type { BoardDefinition } from '../../src/config/boardSchema';
import type { RemoteHalClient } from '../../src/hal/remote';
import type { FakeKernelTree } from './fakeKernelTree';

/** The fans' side of the wire: PWM file -> simulated fans -> tach pulses in /proc/interrupts. */
export class FanWire {
  /** 'run': pulses follow the simulated fans; 'frozen': no pulses; 'nonsense': a counter racing far beyond any fan. */
  mode: 'run' | 'frozen' | 'nonsense' = 'run';
  private counts: number[] = [];
  private lastMs = Date.now();
  private resets: (0 | 1 | undefined)[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;
  dutySeen: number[] = [];
  resetLog: [number, number, number][] = [];
  constructor(private readonly tree: FakeKernelTree, private readonly hal: RemoteHalClient, private readonly board: BoardDefinition) {}
  start(): void {
    this.timer = setInterval(() => this.step(), 50);
  }
  stop(): void {
    clearInterval(this.timer);
  }
  /** The simulated fans' last speeds (refreshed in the background: a slow simulator never stalls the pulses). */
  private rpm: number[] = [];

  private step(): void {
    // Pulses first, every tick, from the last known speeds.
    const now = Date.now();
    const dt = now - this.lastMs;
    this.lastMs = now;
    for (const [i, f] of this.board.controller.fans.entries()) {
      const rpm = this.mode === 'frozen' ? 0 : this.mode === 'nonsense' ? 10_000_000 : (this.rpm[i] ?? 0);
      this.counts[i] = (this.counts[i] ?? 0) + (rpm * f.pulsesPerRev * dt) / 60_000;
      this.tree.setInterrupt(f.tachIrq!, Math.floor(this.counts[i]), `fan${i}`);
    }
    if (!this.busy) void this.relay();
  }

  /** The duty and reset levels kabosu wrote, to the simulator; its fans' speeds back. */
  private async relay(): Promise<void> {
    this.busy = true;
    try {
      const pwm = this.tree.pwmDuty(0, 1);
      if (pwm?.enabled) {
        this.dutySeen.push(pwm.duty);
        await this.hal.pwm(0).setDuty(pwm.duty);
      }
      for (let c = 0; c < this.board.hashBoard.chains; c++) {
        const v = this.tree.gpioValue(this.board.controller.gpio.chainReset[c]);
        if (v !== undefined && v !== this.resets[c]) {
          this.resets[c] = v;
          this.resetLog.push([Date.now() % 100000, c, v]);
          await this.hal.gpio(`reset.${c}`).write(v);
        }
      }
      for (let i = 0; i < this.board.controller.fans.length; i++) this.rpm[i] = await this.hal.tach(i).readRpm();
    } catch {
      // the simulator going away at the end of the test
    } finally {
      this.busy = false;
    }
  }
}
