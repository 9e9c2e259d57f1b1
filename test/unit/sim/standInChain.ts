/**
 * A stand-in for C1's chain emulation while src/sim/chain is not in the tree: chips come up at
 * the stock frequency after a reset with the supply on, and answer when the physics says so.
 * It speaks no UART protocol; tests that need the protocol use the real SimChain.
 * Frequencies can be set per chip (as the firmware would through PLL registers).
 */
import type { BuiltChain, ChainBuildOptions, ChainEmulation, UartNoise } from '../../../src/sim/chainSeam';

export class StandInChain implements ChainEmulation {
  readonly freqs: number[];
  noise: UartNoise | null = null;
  resets = 0;
  stopped = false;
  private readonly interval: number;

  constructor(private readonly o: ChainBuildOptions, stockMHz: number) {
    this.freqs = new Array<number>(o.chipCount).fill(stockMHz);
    this.interval = Math.max(1, Math.floor(256 / o.chipCount));
    this.buildViews();
  }

  /** Live views, built once (the board reads them every physics step). */
  readonly chips: ReadonlyArray<{ address: number | null; freqMHz: number; responsive: boolean }> = [];

  private buildViews(): void {
    const self = this;
    const views = this.freqs.map((_, i) => ({
      address: i * self.interval,
      get freqMHz(): number {
        return self.freqs[i]!;
      },
      get responsive(): boolean {
        return self.o.supply.powered() && self.o.physics[i]!.responsive(self.freqs[i]!);
      },
    }));
    (this as { chips: unknown }).chips = views;
  }

  reset(): void {
    this.resets++;
  }

  setUartNoise(n: UartNoise | null): void {
    this.noise = n;
  }

  stats(): { noncesSent: number; hwErrorsSent: number; framesIgnored: number; hashes: number } {
    return { noncesSent: 0, hwErrorsSent: 0, framesIgnored: 0, hashes: 0 };
  }

  stop(): void {
    this.stopped = true;
  }
}

export function standInFactory(stockMHz: number, sink: StandInChain[] = []): (o: ChainBuildOptions) => BuiltChain {
  return (o) => {
    const chain = new StandInChain(o, stockMHz);
    sink.push(chain);
    return { chain };
  };
}
