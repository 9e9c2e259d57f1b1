/**
 * The chip side of one simulated chain (DESIGN "The simulator"; chips.md §14): every chip parses
 * host frames as src/chips/README.md describes, answers register reads in chain order, takes
 * addresses after chain-inactive, keeps PLL / ticket mask / baud / core state, takes work, and
 * returns nonces as a Poisson process at hashrate / ticket difficulty per chip.
 */
import { getChipFamily, HostStream, ticketDifficultyOfMask } from '../../chips';
import type { ChipFamily, ChipFamilyId, ChipReply, HostFrame } from '../../chips/types';
import { headerWithNonce } from '../../chips/common/header';
import type { Clock, TimerHandle } from '../../hal/types';
import { SCRYPT_DIFF1_TARGET, getAlgorithm, scryptSimBase, scryptSimNonce } from '../../pow';
import { SeededRandom } from '../physics/random';
import type { ChainSupply, ChipPhysics } from '../types';
import { ChipState, type WorkItem } from './chipState';
import { corruptSimNonce, fixedBits, poisson } from './nonceMaker';
import { REG_GENERAL_IIC, autoReadTemp, startIic, type ChipSensor } from './chipIic';

export type { ChipFamilyId };

/** The device end of a UART line (the chain's side). */
export interface ByteLink {
  send(buf: Buffer): void; // chain -> host
  onReceive(fn: (buf: Buffer) => void): void; // host -> chain
  readonly baud: number; // the line speed now (host changes it)
}

export interface SimChainOptions {
  family: ChipFamilyId;
  chipCount: number;
  physics: ChipPhysics[];
  supply: ChainSupply;
  clock: Clock;
  seed: number;
  pow: 'scrypt' | 'scrypt-sim';
  /** Optional (board extra): temperature sensors behind chips, reached through GENERAL_IIC. */
  sensors?: ReadonlyArray<ChipSensor>;
}

/** Auto-read temperature period of a sensor chip (kabosu's choice). */
export const AUTO_READ_MS = 1000;

/** Nonce-process resolution: arrivals are drawn per tick (counts per tick are Poisson). */
export const TICK_MS = 50;
/**
 * Real-scrypt mode: at most this many scrypt hashes per chain per batch (the CPU is the limit).
 * One batch per chain is in flight at a time, on the native thread pool (never the event loop);
 * 512 hashes are ~18 ms of one thread at ~29k H/s, so a diff-1 ticket (65,536 hashes) takes a
 * few seconds of the whole host rather than the ~50 s that 16 per 50 ms tick allowed.
 */
export const SCRYPT_HASHES_PER_TICK = 512;
/** A UART tolerates this relative baud error; beyond it bytes arrive garbled. */
export const BAUD_TOLERANCE = 0.05;
/** A partial host frame older than this is abandoned (counted as ignored). */
export const FRAME_IDLE_MS = 50;
/** Expected hashes per scrypt diff-1 share: 2^256 / diff-1 target. */
const HASHES_PER_DIFF1 = 2 ** 256 / Number(SCRYPT_DIFF1_TARGET);

export class SimChain {
  private readonly fam: ChipFamily;
  private readonly states: ChipState[];
  private readonly rng: SeededRandom;
  private readonly stream: HostStream;
  private link: ByteLink | null = null;
  private noise: { bitFlipProb: number; dropProb: number } | null = null;
  private chipBaud: number;
  private addressing = false;
  private lastRxMs = 0;
  private lastTickMs: number;
  private timer: TimerHandle | null;
  private stopped = false;
  private workSeq = 0;
  private readonly bases = new Map<number, Promise<Buffer>>();
  private scryptBusy = false;
  private rr = 0;
  private counts = { noncesSent: 0, hwErrorsSent: 0, hashes: 0 };
  private readonly autoRead = new Set<number>();
  private lastAutoReadMs = 0;

  constructor(private readonly opts: SimChainOptions) {
    this.fam = getChipFamily(opts.family);
    if (!Number.isInteger(opts.chipCount) || opts.chipCount < 1 || opts.chipCount > 256) throw new RangeError(`chipCount must be 1..256, got ${opts.chipCount}`);
    if (opts.physics.length !== opts.chipCount) throw new RangeError(`physics has ${opts.physics.length} entries for ${opts.chipCount} chips`);
    this.states = Array.from({ length: opts.chipCount }, () => new ChipState(this.fam));
    this.rng = new SeededRandom(opts.seed).fork(`chain-${opts.family}`);
    this.stream = new HostStream(this.fam);
    this.chipBaud = this.fam.resetBaud;
    this.lastTickMs = opts.clock.now();
    this.timer = opts.clock.setInterval(() => this.onTick(), TICK_MS);
  }

  connect(link: ByteLink): void {
    this.link = link;
    link.onReceive((buf) => this.onHostBytes(buf));
  }

  /** Chain reset line asserted then released: chips lose addresses/PLL, hung chips recover. */
  reset(): void {
    for (const s of this.states) s.reset();
    this.chipBaud = this.fam.resetBaud;
    this.addressing = false;
    this.stream.flush();
    this.bases.clear();
    this.autoRead.clear();
  }

  get chips(): ReadonlyArray<{ readonly address: number | null; readonly freqMHz: number; readonly responsive: boolean }> {
    return this.states.map((s, i) => ({ address: s.address, freqMHz: s.freqMHz, responsive: this.responsive(i) }));
  }

  /** The chips' line speed now (after baud-register writes). */
  get lineBaud(): number {
    return this.chipBaud;
  }

  setUartNoise(n: { bitFlipProb: number; dropProb: number } | null): void {
    this.noise = n && (n.bitFlipProb > 0 || n.dropProb > 0) ? { ...n } : null;
  }

  stats(): { noncesSent: number; hwErrorsSent: number; framesIgnored: number; hashes: number } {
    const c = this.stream.counts;
    return { ...this.counts, framesIgnored: c.rejectRuns + c.shortFrames };
  }

  /** Test hook (chips.md §14.12): sends a reply as if chip-produced (e.g. a known-valid golden nonce). */
  injectReply(r: ChipReply): void {
    this.sendReply(r);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private responsive(i: number): boolean {
    const s = this.states[i];
    return this.opts.supply.powered() && !s.hung && this.opts.physics[i].responsive(s.freqMHz);
  }

  private baudMismatch(): boolean {
    const line = this.link?.baud ?? this.chipBaud;
    return Math.abs(this.chipBaud - line) / line > BAUD_TOLERANCE;
  }

  /** UART noise and baud mismatch, applied to bytes on the wire in either direction. */
  private damage(buf: Buffer): Buffer {
    if (this.baudMismatch()) {
      // a receiver sampling at the wrong rate sees framing garbage, not the bytes sent
      const out = Buffer.alloc(Math.max(1, Math.round(buf.length * (this.link?.baud ?? 1) / this.chipBaud)));
      for (let i = 0; i < out.length; i++) out[i] = this.rng.int(256);
      return out;
    }
    const n = this.noise;
    if (!n) return buf;
    const out: number[] = [];
    for (const b of buf) {
      if (this.rng.next() < n.dropProb) continue;
      let v = b;
      for (let bit = 0; bit < 8; bit++) if (this.rng.next() < n.bitFlipProb) v ^= 1 << bit;
      out.push(v);
    }
    return Buffer.from(out);
  }

  private onHostBytes(raw: Buffer): void {
    if (this.stopped || !this.opts.supply.powered()) return;
    const now = this.opts.clock.now();
    if (this.stream.pending > 0 && now - this.lastRxMs > FRAME_IDLE_MS) this.stream.flush();
    this.lastRxMs = now;
    for (const f of this.stream.push(this.damage(raw))) this.handle(f);
  }

  private sendReply(r: ChipReply): void {
    if (!this.link || this.stopped) return;
    const bytes = this.damage(this.fam.encodeReply(r));
    if (bytes.length > 0) this.link.send(bytes);
  }

  private targets(f: { broadcast: boolean; chip: number }): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.states.length; i++) if (this.responsive(i) && (f.broadcast || this.states[i].wireAddress === f.chip)) out.push(i);
    return out;
  }

  private handle(f: HostFrame): void {
    switch (f.kind) {
      case 'chainInactive':
        this.addressing = true;
        return;
      case 'setAddress': {
        if (!this.addressing) return;
        // consumed by the first chip in chain order that has no address yet (chips.md §4.1)
        const i = this.states.findIndex((s, k) => s.address === null && this.responsive(k));
        if (i >= 0) this.states[i].address = f.address;
        return;
      }
      case 'readReg':
        for (const i of this.targets(f)) {
          const s = this.states[i];
          const h = this.opts.physics[i].hashrateHps(s.freqMHz) * s.coreFraction;
          this.sendReply({ kind: 'register', chip: s.wireAddress, reg: f.reg, value: s.read(f.reg, h) });
        }
        return;
      case 'writeReg': {
        let baud: number | null = null;
        for (const i of this.targets(f)) {
          baud = this.states[i].write(f.reg, f.value) ?? baud;
          if (f.reg === REG_GENERAL_IIC) this.iicWrite(i, f.value);
        }
        if (baud !== null) this.chipBaud = baud;
        return;
      }
      case 'work': {
        // a new work packet replaces the chip's current job (chips.md §14.11): one slot per chip
        const item: WorkItem = { jobId: f.jobId, header76: f.header76, seq: ++this.workSeq };
        for (let i = 0; i < this.states.length; i++) {
          if (!this.responsive(i)) continue;
          this.states[i].work = item;
          this.states[i].counter = ((f.startNonce ?? 0) & ~this.fam.nonceLayout.fixedMask) >>> 0;
        }
        return;
      }
    }
  }

  private sensorOf(i: number): ChipSensor | undefined {
    const a = this.states[i].address;
    return a === null ? undefined : this.opts.sensors?.find((x) => x.chipAddress === a);
  }

  private iicWrite(i: number, value: number): void {
    const regs = this.states[i].regs;
    if (startIic(value, this.sensorOf(i), { set: (r, v) => regs.set(r, v) })) this.autoRead.add(i);
  }

  private autoReadTick(now: number): void {
    if (this.autoRead.size === 0 || now - this.lastAutoReadMs < AUTO_READ_MS) return;
    this.lastAutoReadMs = now;
    for (const i of this.autoRead) {
      const sensor = this.sensorOf(i);
      const regs = this.states[i].regs;
      if (sensor && this.responsive(i)) autoReadTemp(sensor, { set: (r, v) => regs.set(r, v) });
    }
  }

  private interval(): number {
    return Math.max(1, Math.floor(256 / this.opts.chipCount));
  }

  private baseFor(w: WorkItem): Promise<Buffer> {
    let b = this.bases.get(w.seq);
    if (!b) {
      b = scryptSimBase(headerWithNonce(w.header76, 0));
      this.bases.set(w.seq, b);
      for (const k of this.bases.keys()) if (k < w.seq - 4) this.bases.delete(k);
    }
    return b;
  }

  private onTick(): void {
    const now = this.opts.clock.now();
    const dt = Math.max(0, now - this.lastTickMs) / 1000;
    this.lastTickMs = now;
    if (this.stopped || !this.link || !this.opts.supply.powered()) return;
    this.autoReadTick(now);
    if (this.opts.pow === 'scrypt') {
      this.scryptTick();
      return;
    }
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i];
      if (!s.work || s.openCores.size === 0 || !this.responsive(i)) continue;
      const phys = this.opts.physics[i];
      const h = phys.hashrateHps(s.freqMHz) * s.coreFraction;
      if (!(h > 0)) continue;
      this.counts.hashes += h * dt;
      const diff = ticketDifficultyOfMask(s.ticketMask);
      const k = poisson((h * dt) / (diff * HASHES_PER_DIFF1), this.rng);
      // A chip finds its nonces at random instants, not on the simulator's tick: each one is
      // sent at a uniform offset within the tick just simulated (a burst per tick made every
      // chain's replies arrive together, a queue no real chain produces), for the chip's work
      // at that instant.
      for (let j = 0; j < k; j++) {
        const at = this.rng.next() * TICK_MS;
        this.opts.clock.setTimeout(() => {
          if (this.stopped || !s.work || !this.responsive(i) || !this.opts.supply.powered()) return;
          this.emitSimNonce(i, s.work, diff);
        }, at);
      }
    }
  }

  private pickCore(s: ChipState): number {
    const cores = [...s.openCores];
    return cores[this.rng.int(cores.length)];
  }

  private emitSimNonce(i: number, work: WorkItem, diff: number): void {
    const s = this.states[i];
    const l = this.fam.nonceLayout;
    const fixedValue = fixedBits(this.fam, s.wireAddress, this.interval(), this.pickCore(s), this.rng);
    const hw = this.rng.next() < this.opts.physics[i].hwErrorProbability(s.freqMHz);
    const salt = this.rng.int(0x100000000);
    const corruptRng = this.rng.int(255);
    const target = SCRYPT_DIFF1_TARGET / BigInt(diff);
    void this.baseFor(work).then(
      (base) => {
        let nonce = scryptSimNonce(base, { fixedMask: l.fixedMask, fixedValue, target, salt });
        if (hw) nonce = (nonce ^ ((1 + corruptRng) << 8)) >>> 0;
        this.counts.noncesSent++;
        if (hw) this.counts.hwErrorsSent++;
        this.sendReply({ kind: 'nonce', nonce, jobId: work.jobId, diff: 0 });
      },
      () => undefined,
    );
  }

  /** Real scrypt: chips scan their slice in order at the CPU's pace (feasible at low difficulty). */
  private scryptTick(): void {
    if (this.scryptBusy) return;
    const jobs: Array<{ i: number; work: WorkItem; nonce: number; header: Buffer; target: bigint }> = [];
    const n = this.states.length;
    for (let t = 0; t < n && jobs.length < SCRYPT_HASHES_PER_TICK; t++) {
      const i = (this.rr + t) % n;
      const s = this.states[i];
      if (!s.work || s.openCores.size === 0 || !this.responsive(i)) continue;
      const l = this.fam.nonceLayout;
      const free = (~l.fixedMask) >>> 0;
      const core = Math.min(...s.openCores);
      const fixed = (((core << l.coreShift) | (s.wireAddress << l.chipShift)) & l.fixedMask) >>> 0;
      const per = Math.max(1, Math.floor(SCRYPT_HASHES_PER_TICK / n));
      for (let k = 0; k < per && jobs.length < SCRYPT_HASHES_PER_TICK; k++) {
        const nonce = (fixed | (s.counter & free)) >>> 0;
        s.counter = (s.counter + 1) & free;
        const target = SCRYPT_DIFF1_TARGET / BigInt(ticketDifficultyOfMask(s.ticketMask));
        jobs.push({ i, work: s.work, nonce, header: headerWithNonce(s.work.header76, nonce), target });
      }
    }
    this.rr = (this.rr + 1) % Math.max(1, n);
    if (jobs.length === 0) return;
    this.scryptBusy = true;
    const algo = getAlgorithm('scrypt');
    void algo
      .verify(
        jobs.map((j) => j.header),
        jobs.map((j) => j.target),
      )
      .then(
        (res) => {
          this.scryptBusy = false;
          this.counts.hashes += jobs.length;
          res.forEach((r, k) => {
            const j = jobs[k];
            if (!r.valid) return;
            const phys = this.opts.physics[j.i];
            const hw = this.rng.next() < phys.hwErrorProbability(this.states[j.i].freqMHz);
            const nonce = hw ? corruptSimNonce(j.nonce ^ 0x00010000, this.rng) : j.nonce;
            this.counts.noncesSent++;
            if (hw) this.counts.hwErrorsSent++;
            this.sendReply({ kind: 'nonce', nonce, jobId: j.work.jobId, diff: 0 });
          });
        },
        () => {
          this.scryptBusy = false;
        },
      );
  }
}
