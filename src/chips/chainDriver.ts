/**
 * The host side of one chain (issue 5 item 1), shared by every family: reset, enumerate and
 * address, chip ids, PLL with gradual ramping, ticket mask, baud switch, work dispatch with a
 * job-id ring, reply parsing into typed events. It touches hardware only through hal
 * interfaces (`Uart`, `GpioLine`, `Clock`), so it runs unchanged on a tty, a PTY or the
 * in-process pair. Timing policy (when to send work, when to call `checkSilent`) is the
 * caller's (hashboard/); the waits here are the protocol's own (chips.md §4, §7, §8).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ChipTimeoutError, ProtocolError } from '../core/errors';
import { TypedEmitter } from '../core/events';
import type { Clock, GpioLine, PrehashedNonce, Uart } from '../hal/types';
import { ReplyStream, type StreamCounts } from './responseParser';
import type { ChipFamily, ChipReply, HostFrame } from './types';

export interface ChainEvents {
  /** `readAt`: host time (performance.now(), ms) the bytes were read: for latency figures only. */
  nonce: { chip: number; core: number; jobId: number; nonce: number; readAt: number; hash?: Buffer };
  /** The reply parser rejected bytes (bad CRC, header or short frame); totals so far. */
  crcError: { chain: number; badCrc: number; badHeader: number; shortFrames: number };
  /** A chip returned no nonce for `silentMs` while work was flowing. */
  chipSilent: { chain: number; chip: number; silentMs: number };
  /** A nonce whose wire job id is not in the ring (stale, or never sent). */
  unknownWork: { chain: number; wireJobId: number; nonce: number };
  /** A nonce whose address bits name no chip of this chain. */
  badChip: { chain: number; nonce: number };
}

export interface ChainDriverOptions {
  family: ChipFamily;
  uart: Uart;
  clock: Clock;
  /** Unbound: the chain binds `{chain}` itself (its log calls do not repeat it). */
  log: Logger;
  expectedChips: number;
  chain?: number;
  /** Chain reset line, active low (chips.md §9). */
  reset?: GpioLine;
  /** Ms without replies after which a collection (enumeration, reads) ends. */
  quietMs?: number;
  /** Ms to wait for the first reply of a read. */
  replyTimeoutMs?: number;
  /**
   * Hash nonces on the UART's reader thread where the UART can (hal UartPrehash): nonce events
   * then carry `hash`, and ticket-level nonces reach the event loop in batches at most `lazyMs`
   * apart (default 100); nonces meeting the work's `urgentTarget` arrive at once.
   */
  prehash?: { pow: 'scrypt' | 'scrypt-sim'; lazyMs?: number };
}

export interface WorkRequest {
  jobId: number;
  header76: Buffer;
  /** Where the chips' counters start (BM1485 test work, BM1489 H19); normally absent. */
  startNonce?: number;
  /** With prehash: a nonce whose hash (32 bytes LE) is at most this is delivered at once (the share target). */
  urgentTarget?: Buffer;
}

interface Collector {
  reg: number;
  want: number;
  got: Array<Extract<ChipReply, { kind: 'register' }>>;
  lastMs: number;
}

export class Chain extends TypedEmitter<ChainEvents> {
  readonly family: ChipFamily;
  readonly index: number;
  private readonly uart: Uart;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly stream: ReplyStream;
  private readonly quietMs: number;
  private readonly replyTimeoutMs: number;
  private collector: Collector | null = null;
  private lastErrors = 0;
  /** Addresses in chain order, after `assignAddresses`. */
  addresses: number[] = [];
  /** Per chip frequency as last set. */
  freqMHz: number[] = [];
  private interval = 1;
  private readonly ring: Array<number | null>;
  private nextWire = 0;
  private lastNonceMs: number[] = [];
  private workSince: number | null = null;
  private readonly ringGen: number[];
  private backlog: ChainEvents['nonce'][] = [];
  private draining = false;
  private gen = 0;
  private readonly onData = (b: Buffer, pre?: PrehashedNonce[]): void => this.onBytes(b, pre);

  constructor(private readonly opts: ChainDriverOptions) {
    super();
    this.family = opts.family;
    this.index = opts.chain ?? 0;
    this.uart = opts.uart;
    this.clock = opts.clock;
    // the chain binds its own `chain` field: callers pass their logger unbound (one binding per field)
    this.log = opts.log.child({ chain: this.index });
    this.stream = new ReplyStream(opts.family);
    this.quietMs = opts.quietMs ?? 200;
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 1000;
    this.ring = new Array(opts.family.jobIdCount).fill(null);
    this.ringGen = new Array(opts.family.jobIdCount).fill(0);
    this.uart.on('data', this.onData);
    if (opts.prehash && this.uart.prehash) this.uart.prehash.enable(opts.family.replyFrameSpec, opts.prehash.pow, opts.prehash.lazyMs ?? 100);
  }

  /** True when nonces are hashed on the UART's reader thread (events carry `hash`). */
  get prehashing(): boolean {
    return this.uart.prehash?.isEnabled() ?? false;
  }

  get counts(): Readonly<StreamCounts> {
    return this.stream.counts;
  }

  close(): void {
    this.uart.off('data', this.onData as (...a: never[]) => void);
    if (this.opts.prehash) this.uart.prehash?.disable();
    this.backlog = []; // held tickets of a closed chain go nowhere
  }

  /** RST low for `lowMs`, high, then `settleMs` (stock L3+: 500 ms each, chips.md §4.2). */
  async resetChain(lowMs = 500, settleMs = 500): Promise<void> {
    if (!this.opts.reset) return;
    await this.opts.reset.write(0);
    await this.clock.sleep(lowMs);
    await this.opts.reset.write(1);
    await this.clock.sleep(settleMs);
    this.stream.flush();
    if (this.uart.baud !== this.family.resetBaud) await this.uart.setBaud(this.family.resetBaud);
  }

  async send(f: HostFrame): Promise<void> {
    await this.uart.write(this.family.encodeHost(f));
  }

  /**
   * Broadcast read of `reg`; collects register replies until `want` arrived or the line is quiet
   * for quietMs. Throws ChipTimeoutError when nothing answers within replyTimeoutMs.
   */
  async readAll(reg: number, want: number): Promise<Array<Extract<ChipReply, { kind: 'register' }>>> {
    return this.collect(reg, want, { kind: 'readReg', broadcast: true, chip: 0, reg }, `${want} replies to a broadcast read of register 0x${reg.toString(16)}`);
  }

  async readChip(address: number, reg: number): Promise<number> {
    const got = await this.collect(reg, 1, { kind: 'readReg', broadcast: false, chip: address, reg }, `chip 0x${address.toString(16)} register 0x${reg.toString(16)}`);
    return got[0].value;
  }

  private async collect(reg: number, want: number, f: HostFrame, what: string): Promise<Array<Extract<ChipReply, { kind: 'register' }>>> {
    if (this.collector) throw new ProtocolError('KBS_E_CHIP_BUSY', 'a register read is already in progress on this chain', { context: { chain: this.index } });
    const c: Collector = { reg, want, got: [], lastMs: this.clock.now() };
    this.collector = c;
    try {
      await this.send(f);
      const start = this.clock.now();
      for (;;) {
        if (c.got.length >= want) break;
        const now = this.clock.now();
        if (c.got.length === 0 && now - start >= this.replyTimeoutMs) {
          throw new ChipTimeoutError('KBS_E_CHIP_TIMEOUT', `chain ${this.index}: no reply while waiting for ${what} (${this.replyTimeoutMs} ms)`, {
            hint: 'check the chain is powered and out of reset, and that the UART baud matches the chips',
            context: { chain: this.index, reg, awaited: what },
          });
        }
        if (c.got.length > 0 && now - c.lastMs >= this.quietMs) break;
        await this.clock.sleep(10);
      }
      return c.got;
    } finally {
      this.collector = null;
    }
  }

  /** Counts chips: broadcast chip-id read (chips.md §4.1). Throws when fewer than expected answer. */
  async enumerate(): Promise<number> {
    const got = await this.readAll(this.family.regs.chipAddr, this.opts.expectedChips);
    const ok = got.filter((r) => r.value >>> 16 === this.family.chipId).length;
    if (ok !== this.opts.expectedChips) {
      throw new ProtocolError('KBS_E_CHIP_COUNT', `chain ${this.index}: ${ok} ${this.family.id} chips answered, expected ${this.opts.expectedChips}`, {
        hint: 'a chip is dead or the board is faulty; power-cycle the board and retry, or disable this chain',
        context: { chain: this.index, found: ok, expected: this.opts.expectedChips, replies: got.length },
      });
    }
    return ok;
  }

  /** chain-inactive, then one set-address per address slot 0, n, 2n... (chips.md §4.1, §4.2 step 8). */
  async assignAddresses(chipCount = this.opts.expectedChips, spacingMs = 10): Promise<number[]> {
    this.interval = Math.max(1, Math.floor(256 / chipCount));
    await this.send({ kind: 'chainInactive' });
    await this.clock.sleep(30);
    const slots = Math.ceil(256 / this.interval);
    for (let j = 0; j < slots; j++) {
      await this.send({ kind: 'setAddress', address: (j * this.interval) & 0xff });
      if (spacingMs > 0) await this.clock.sleep(spacingMs);
    }
    this.addresses = Array.from({ length: chipCount }, (_, i) => i * this.interval);
    this.lastNonceMs = new Array(chipCount).fill(this.clock.now());
    return this.addresses;
  }

  /** Chip ids in chain order, checked against the addresses we assigned. */
  async readChipIds(): Promise<Array<{ address: number; chipId: number }>> {
    const got = await this.readAll(this.family.regs.chipAddr, this.addresses.length || this.opts.expectedChips);
    const out = got.map((r) => ({ address: r.chip, chipId: r.value >>> 16 }));
    const bad = out.findIndex((c, i) => this.addresses.length > 0 && c.address !== this.addresses[i]);
    if (bad >= 0) {
      throw new ProtocolError('KBS_E_CHIP_ADDRESS', `chain ${this.index}: chip ${bad} answers as 0x${out[bad].address.toString(16)}, expected 0x${this.addresses[bad].toString(16)}`, {
        hint: 'addressing failed; reset the chain and enumerate again',
        context: { chain: this.index, chip: bad },
      });
    }
    return out;
  }

  async writeAll(reg: number, value: number): Promise<void> {
    await this.send({ kind: 'writeReg', broadcast: true, chip: 0, reg, value });
  }

  async writeChip(chip: number, reg: number, value: number): Promise<void> {
    await this.send({ kind: 'writeReg', broadcast: false, chip: this.addressOf(chip), reg, value });
  }

  private addressOf(chip: number): number {
    const a = this.addresses[chip];
    if (a === undefined) throw new ProtocolError('KBS_E_CHIP_INDEX', `chain ${this.index} has no chip ${chip}`, { context: { chain: this.index, chip } });
    return a;
  }

  /**
   * Ramps every chip (or one) to `targetMHz` in steps of at most `stepMHz`, `stepMs` apart
   * (ESP-Miner 6.25 MHz / 100 ms; L7 fixed steps / 500 ms, chips.md §4.3-4.4).
   */
  async setFrequency(targetMHz: number, o: { chip?: number; stepMHz?: number; stepMs?: number } = {}): Promise<number> {
    const stepMHz = o.stepMHz ?? 25;
    const stepMs = o.stepMs ?? 100;
    const chips = o.chip === undefined ? this.addresses.map((_, i) => i) : [o.chip];
    if (chips.length === 0) throw new ProtocolError('KBS_E_CHIP_NOT_READY', `chain ${this.index}: set frequency before addressing`, { hint: 'call assignAddresses() first' });
    let cur = Math.max(...chips.map((i) => this.freqMHz[i] ?? targetMHz));
    let actual = cur;
    for (;;) {
      const next = Math.abs(targetMHz - cur) <= stepMHz ? targetMHz : cur + Math.sign(targetMHz - cur) * stepMHz;
      const p = this.family.pllFor(next);
      if (o.chip === undefined) await this.writeAll(this.family.regs.pll, p.value);
      else await this.writeChip(o.chip, this.family.regs.pll, p.value);
      actual = p.freqMHz;
      for (const i of chips) this.freqMHz[i] = p.freqMHz;
      cur = next;
      if (next === targetMHz) break;
      await this.clock.sleep(stepMs);
    }
    return actual;
  }

  async setTicketDifficulty(difficulty: number): Promise<void> {
    for (const w of this.family.ticketMaskWrites(difficulty)) await this.writeAll(w.reg, w.value);
  }

  async openCores(spacingMs = 10): Promise<void> {
    for (const w of this.family.coreEnableWrites()) {
      await this.writeAll(w.reg, w.value);
      if (spacingMs > 0) await this.clock.sleep(spacingMs);
    }
  }

  /** Chip register at the old rate, drain, then the host UART, then flush (chips.md §8). */
  async setBaud(baud: number): Promise<number> {
    const b = this.family.baudWrites(baud);
    for (const w of b.writes) await this.writeAll(w.reg, w.value);
    await this.clock.sleep(10);
    await this.uart.setBaud(baud);
    this.stream.flush();
    return b.actualBaud;
  }

  /** Full bring-up: reset, count, address, ids, cores, PLL ramp, ticket mask, baud. */
  async init(o: { freqMHz: number; ticketDifficulty: number; baud?: number; startMHz?: number }): Promise<void> {
    await this.resetChain();
    await this.enumerate();
    await this.assignAddresses();
    await this.readChipIds();
    await this.openCores();
    const start = o.startMHz ?? Math.min(o.freqMHz, this.family.pllFor(0).freqMHz);
    this.freqMHz = this.addresses.map(() => start);
    await this.setFrequency(o.freqMHz);
    await this.setTicketDifficulty(o.ticketDifficulty);
    if (o.baud && o.baud !== this.uart.baud) await this.setBaud(o.baud);
    this.log.info({ chips: this.addresses.length, freqMHz: o.freqMHz }, 'chain initialised');
  }

  /** Sends work; the caller's jobId is remembered under the next wire id of the ring. */
  async sendWork(w: WorkRequest): Promise<number> {
    const wire = this.nextWire;
    this.nextWire = (this.nextWire + 1) % this.ring.length;
    this.ring[wire] = w.jobId;
    const pre = this.uart.prehash;
    // Registered before the work goes out, so no nonce of it can come back unregistered.
    if (pre?.isEnabled()) {
      this.gen = (this.gen + 1) >>> 0;
      this.ringGen[wire] = this.gen;
      pre.setJob(wire, w.header76, w.urgentTarget ?? null, this.gen);
    }
    if (this.workSince === null) this.workSince = this.clock.now();
    await this.send({ kind: 'work', jobId: wire, header76: w.header76, ...(w.startNonce === undefined ? {} : { startNonce: w.startNonce }) });
    return wire;
  }

  /** Emits chipSilent for every chip without a nonce for `silentMs` (the caller decides when to look). */
  checkSilent(silentMs: number): number[] {
    const now = this.clock.now();
    if (this.workSince === null) return [];
    const silent: number[] = [];
    this.lastNonceMs.forEach((t, chip) => {
      const since = Math.max(t, this.workSince as number);
      if (now - since >= silentMs) {
        silent.push(chip);
        this.emit('chipSilent', { chain: this.index, chip, silentMs: now - since });
      }
    });
    return silent;
  }

  private onBytes(b: Buffer, pre?: PrehashedNonce[]): void {
    const readAt = performance.now();
    let cursor = 0;
    const frames = this.stream.push(b);
    const c = this.stream.counts;
    const errs = c.badCrc + c.badHeader + c.shortFrames;
    if (errs !== this.lastErrors) {
      this.lastErrors = errs;
      this.emit('crcError', { chain: this.index, badCrc: c.badCrc, badHeader: c.badHeader, shortFrames: c.shortFrames });
    }
    for (const f of frames) {
      if (f.kind === 'register') {
        const col = this.collector;
        if (col && f.reg === col.reg) {
          col.got.push(f);
          col.lastMs = this.clock.now();
        } else this.log.debug({ reply: f }, 'unrequested register reply');
        continue;
      }
      const l = this.family.nonceLayout;
      const addr = (f.nonce >>> l.chipShift) & 0xff;
      const chip = Math.floor(addr / this.interval);
      const jobId = this.ring[f.jobId];
      if (chip >= this.addresses.length) {
        this.emit('badChip', { chain: this.index, nonce: f.nonce });
        continue;
      }
      if (jobId === null || jobId === undefined) {
        this.emit('unknownWork', { chain: this.index, wireJobId: f.jobId, nonce: f.nonce });
        continue;
      }
      this.lastNonceMs[chip] = this.clock.now();
      const core = (f.nonce >>> l.coreShift) & ((1 << l.coreBits) - 1);
      // The reader's records come in frame order; one it framed differently is simply not matched.
      let r: PrehashedNonce | undefined;
      if (pre) {
        for (let k = cursor; k < pre.length; k++) {
          if (pre[k].nonce === f.nonce && pre[k].wireJobId === f.jobId) {
            r = pre[k];
            cursor = k + 1;
            break;
          }
        }
      }
      const ev: ChainEvents['nonce'] = r && r.gen === this.ringGen[f.jobId] ? { chip, core, jobId, nonce: f.nonce, readAt: r.readAt, hash: r.hash } : { chip, core, jobId, nonce: f.nonce, readAt };
      // A batch from the reader thread: a nonce that may be a share is handled now; the rest
      // (tickets: statistics only) a few per event-loop turn, so a share arriving meanwhile
      // from another chain is never queued behind a whole batch.
      if (pre && !r?.urgent) this.backlog.push(ev);
      else this.emit('nonce', ev);
    }
    if (this.backlog.length > 0 && !this.draining) {
      this.draining = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const batch = this.backlog.splice(0, 4);
    for (const ev of batch) this.emit('nonce', ev);
    if (this.backlog.length > 0) setImmediate(this.drain);
    else this.draining = false;
  };
}
