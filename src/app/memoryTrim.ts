/**
 * Gives free C-heap pages back to the kernel: once shortly after start-up (when start-up's
 * temporary allocations are gone) and then every `periodMs`. glibc keeps freed memory in its
 * arenas for reuse, and the controller's RSS budget (80 MB for the whole daemon, issue #5)
 * counts it; malloc_trim(0) releases whole free pages (measured in the pipeline-remote bench).
 * Without the kabosu addon (or off glibc) this does nothing.
 */
import type { Clock, TimerHandle } from '../hal/types';
import { loadAddon } from '../native/load';
import type { Component } from './component';

export class MemoryTrimComponent implements Component {
  readonly name = 'memory-trim';
  readonly critical = false;
  private timers: TimerHandle[] = [];
  trims = 0;

  constructor(private readonly clock: Clock, private readonly o: { firstMs?: number; periodMs?: number; trim?: () => boolean } = {}) {}

  async start(): Promise<void> {
    let trim = this.o.trim;
    if (!trim) {
      try {
        const addon = loadAddon();
        trim = () => addon.mallocTrim();
      } catch {
        return; // no addon: nothing to trim with
      }
    }
    const run = (): void => {
      trim!();
      this.trims++;
    };
    this.timers.push(this.clock.setTimeout(run, this.o.firstMs ?? 20_000));
    this.timers.push(this.clock.setInterval(run, this.o.periodMs ?? 60_000));
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) t.cancel();
  }
}
