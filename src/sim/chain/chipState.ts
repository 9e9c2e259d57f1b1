/**
 * One emulated chip's register state and how it reacts to host frames (src/chips/README.md is
 * the text both this and the driver follow). Pure state: no time, no I/O.
 */
import type { ChipFamily } from '../../chips/types';

/** PLL frequency after reset, per family (kabosu's choice; chips.md §9 says only "a default"). */
export const RESET_FREQ_MHZ: Record<string, number> = { bm1485: 100, bm1489: 200, bm1366: 50 };

export interface WorkItem {
  jobId: number;
  header76: Buffer;
  /** Sequence number of this work on the chain (one scrypt-sim base per work item). */
  seq: number;
}

export class ChipState {
  address: number | null = null;
  freqMHz = 0;
  ticketMask = 0;
  openCores = new Set<number>();
  /** Set by an unsupported PLL word: the chip hangs until a chain reset (chips.md §14.10). */
  hung = false;
  regs = new Map<number, number>();
  work: WorkItem | null = null;
  /** Next counter value for real-scrypt search (chips scan their slice in order, §14.11). */
  counter = 0;

  constructor(private readonly fam: ChipFamily) {
    this.reset();
  }

  reset(): void {
    this.address = null;
    const p = this.fam.pllFor(RESET_FREQ_MHZ[this.fam.id] ?? 100);
    this.freqMHz = p.freqMHz;
    this.regs = new Map([[this.fam.regs.pll, p.value]]);
    this.ticketMask = 0;
    this.openCores = new Set(this.fam.coresOpenAtReset ? this.fam.coreCodes : []);
    this.hung = false;
    this.work = null;
    this.counter = 0;
  }

  /** Address the chip answers as (0 until assigned: every chip starts at address 0). */
  get wireAddress(): number {
    return this.address ?? 0;
  }

  /** Applies a register write; returns the new chain baud when the write sets it. */
  write(reg: number, value: number): number | null {
    this.regs.set(reg, value >>> 0);
    if (reg === this.fam.regs.pll) {
      const f = this.fam.freqFromPll(value);
      if (f === null) this.hung = true;
      else this.freqMHz = f;
    }
    const mask = this.fam.ticketMaskAfterWrite(reg, value, this.ticketMask);
    if (mask !== null) this.ticketMask = mask;
    const cores = this.fam.coresOpenedByWrite(reg, value);
    if (cores === 'all') this.openCores = new Set(this.fam.coreCodes);
    else if (cores) for (const c of cores) this.openCores.add(c);
    return this.fam.baudAfterWrite(reg, value);
  }

  /** Register read value; `hashrateHps` feeds the hashrate register (H/s / 256, chips.md §3.1). */
  read(reg: number, hashrateHps: number): number {
    if (reg === this.fam.regs.chipAddr) return this.fam.chipIdValue(this.wireAddress);
    if (reg === this.fam.regs.hashrate) return Math.min(0xffffffff, Math.floor(hashrateHps / 256)) >>> 0;
    return this.regs.get(reg) ?? 0;
  }

  /** Fraction of the chip's cores that hash. */
  get coreFraction(): number {
    return this.openCores.size / this.fam.coresPerChip;
  }
}
