import type { Logger } from 'pino';
import type { Clock } from '../hal/types';
import type { KabosuConfig } from '../config';
import type { BoardDefinition } from '../config/boardSchema';
import { getChipFamily } from '../chips';
import { Chain } from '../chips/chainDriver';
import { regulatorFor } from '../power/regulatorFor';
import { BoardPower } from '../power/boardPower';
import { MinerCore, ticketWeight, type MinerWork, type WorkSource } from '../hashboard/minerCore';
import { bm1485RefreshMs } from '../hashboard/workScheduler';
import { cpuNoncesPerSecFor } from '../hashboard/ticketMask';
import type { NonceEvent } from '../hashboard/nonceVerifier';
import { HashrateMeter } from '../hashboard/hashrateMeter';
import { getAlgorithm, difficultyToTarget, type PowAlgorithm } from '../pow';
import { TargetBytes } from '../pow/targets';
import { ShareChecker, WorkBuilder, type WorkItem } from '../work';
import { StratumV1Session } from '../stratum/v1/session';
import { poolSessionKey, poolSessionOptions, type PoolSessionConfig } from './poolSessionOptions';
import { PoolManager, ShareStats, type ManagedSubmitResult, type PoolHealth } from '../pools';
import type { HashBoards } from '../boards';
import type { Component, ReloadResult } from './component';
import { KabosuError } from '../core/errors';
import { LatencyHistogram } from '../core/latencyHistogram';

/**
 * The mining pipeline (DESIGN "main flow") for one miner: power the boards, bring the chains up,
 * keep them fed with work built from the pool's jobs, verify what they return, and submit shares.
 *   pool --notify--> WorkBuilder -> MinerCore (chains) --nonce--> verify -> ShareChecker -> submit
 */
export interface PoolMinerWork extends MinerWork {
  item: WorkItem;
}

/** Stock L3+ waits 5 s after ENABLE_VOLTAGE before resetting the chains (chips.md §4.2 step 4). */
export const POWER_SETTLE_MS = 5000;

/** Host scrypt rate of the simulator in real-scrypt mode (native batch scrypt, ~29k H/s per thread). */
export const SIM_REAL_SCRYPT_HPS = 30_000;

/** Pool jobs as work for the chains: one extranonce2 space per chain (work/). */
class PoolWorkSource implements WorkSource<PoolMinerWork> {
  constructor(
    private readonly builder: WorkBuilder,
    private readonly pow: PowAlgorithm,
    private readonly difficulty: () => number | undefined,
  ) {}
  next(chain: number, ticketDifficulty: number): PoolMinerWork | undefined {
    const item = this.builder.next(chain, Math.floor(Date.now() / 1000));
    if (!item) return undefined;
    const header = item.header;
    return {
      id: item.id,
      chain,
      header,
      item,
      urgentTarget: this.urgentTarget(),
      ticketTarget: difficultyToTarget(ticketDifficulty, this.pow.diff1Target),
      ticketWeightHashes: ticketWeight(ticketDifficulty),
      headerWithNonce(n: number) {
        const h = Buffer.from(header);
        h.writeUInt32BE(n >>> 0, 76); // the chip's 4 wire bytes go verbatim into bytes 76..79
        return h;
      },
    };
  }
  shareDifficulty(): number | undefined {
    return this.difficulty();
  }
  private readonly targetBytes = new TargetBytes();
  /** The share target as 32 LE bytes (for the UART reader's wake-up rule); undefined before the first difficulty. */
  private urgentTarget(): Buffer | undefined {
    const d = this.difficulty();
    return d === undefined ? undefined : this.targetBytes.of(difficultyToTarget(d, this.pow.diff1Target));
  }
}

export interface ShareCounts {
  submitted: number;
  accepted: number;
  acceptedDifficulty: number;
  /** By reject class (pools/rejectClass.ts: a bounded set of keys, never the pool's free text). */
  rejected: Record<string, number>;
  notSubmitted: Record<string, number>;
  latencyMs: number | null;
}

export class MiningComponent implements Component<KabosuConfig> {
  readonly name = 'mining';
  readonly reloads = ['mining', 'pools'] as const;
  readonly critical = false;
  core?: MinerCore<PoolMinerWork>;
  pools?: PoolManager;
  private sessions: StratumV1Session[] = [];
  /** The boards' power (shared with the safety interlock once thermal/ runs). */
  power?: BoardPower;

  /**
   * The boards' power switch, made on first use (all boards off). The thermal component takes it
   * before mining starts, so the interlock and the fans watch from the first volt on
   * (components.ts starts thermal first). Undefined without hash-board hardware.
   */
  boardPower(): BoardPower | undefined {
    if (this.power) return this.power;
    const boards = this.o.boards;
    if (!boards.available) return undefined;
    const { hal, board } = boards;
    const { clock, log } = this.o;
    this.power = new BoardPower(
      Array.from({ length: board.hashBoard.chains }, (_, c) => regulatorFor(board, hal.i2c, c, { clock, log })),
      { clock, log: log.child({ part: 'power' }), ramp: { maxStepV: 0.05, stepMs: 100 } },
    );
    return this.power;
  }
  private readonly checker: ShareChecker;
  private builder?: WorkBuilder;
  private difficulty?: number;
  readonly shares: ShareCounts = { submitted: 0, accepted: 0, acceptedDifficulty: 0, rejected: {}, notSubmitted: {}, latencyMs: null };
  /** Miner-wide difficulty sums, last share, last reject (all pools, cgminer's summary figures). */
  readonly shareStats = new ShareStats();
  readonly poolMeter: HashrateMeter;
  /** notify -> new work written on every chain, host ms, one entry per job. */
  readonly workLatencyMs: number[] = [];
  /** Host ms from a share's nonce bytes read off the UART to mining.submit written: the last 1,000 shares. */
  readonly shareLatencyMs: number[] = [];
  /** The same latencies since start, bucketed (status `submit_host_hist`; benchmarks subtract two snapshots). */
  readonly shareLatencyHist = new LatencyHistogram();
  private readonly pow: PowAlgorithm;
  /** A pool job has reached the work builder (health judges chips only once work flows). */
  hasWork = false;

  constructor(
    private readonly o: {
      config: KabosuConfig;
      clock: Clock;
      log: Logger;
      /** The hash boards (boards/): their hal, definition and proof of work. */
      boards: HashBoards;
      /** Resolves once the fans turn (the thermal component's tach): boards are powered only then. */
      fansReady?: () => Promise<{ ok: boolean; rpm: (number | null)[] }>;
    },
  ) {
    this.pow = getAlgorithm(o.boards.pow);
    this.checker = new ShareChecker(this.pow);
    this.poolMeter = new HashrateMeter(o.clock.now());
  }

  private poolNames = new Map<string, string>();

  /** Per pool: name, url, state, whether active, accepted/rejected, latency. */
  poolHealth(): (PoolHealth & { name: string })[] {
    return (this.pools?.health() ?? []).map((h) => ({ ...h, name: this.poolNames.get(h.url) ?? h.url }));
  }

  get currentDifficulty(): number | undefined {
    return this.difficulty;
  }

  get board(): BoardDefinition | undefined {
    return this.o.boards.available ? this.o.boards.board : undefined;
  }

  async start(): Promise<void> {
    try {
      await this.startPipeline();
    } catch (err) {
      // A start that fails part-way leaves no board powered (the component reports degraded).
      await this.power?.disableAll('mining failed to start').catch((e: unknown) => this.o.log.error({ err: e }, 'could not power the boards off after a failed start'));
      throw err;
    }
  }

  private async startPipeline(): Promise<void> {
    const { config, clock, log } = this.o;
    if (!config.mining.enabled) {
      log.info('mining is disabled in the config: boards stay off');
      return;
    }
    const got = this.o.boards.available ? this.o.boards : undefined;
    if (!got) throw new KabosuError('KBS_E_MINING_NO_BOARDS', 'no hash boards to mine with: boards stay off', { hint: 'see the hash-board backend note in kabosu status (hashboards.backend)' });
    const { hal, board } = got;
    if (config.pools.length === 0) throw new KabosuError('KBS_E_MINING_NO_POOL', 'no pool configured: boards stay off', { hint: 'add a pool under pools' });
    const hb = board.hashBoard;
    // A chain without its UART would never mine while its board sits powered: refuse before the
    // first volt (e.g. a transport that opened no lines).
    if (hal.uarts.length < hb.chains) {
      throw new KabosuError('KBS_E_MINING_NO_CHAINS', `the hash-board backend gave ${hal.uarts.length} chain UARTs for ${hb.chains} chains: hash boards stay off`, {
        hint: 'check hashboards.backend / hashboards.sim.transport (and the native addon for PTYs); see the log of the boards component',
        context: { uarts: hal.uarts.length, chains: hb.chains },
      });
    }
    // 1. Power: voltage, enable, settle (boards go off again in stop()).
    // A restart/resume keeps the same BoardPower, so a board the interlock locked off stays off
    // (only the interlock's cool-down and re-init unlocks it).
    const power = this.boardPower()!;
    // Fans first: the thermal component (started before mining) must see every fan turning.
    if (this.o.fansReady) {
      const fans = await this.o.fansReady();
      if (!fans.ok) {
        throw new KabosuError('KBS_E_MINING_FANS', `the fans are not turning (tach rpm ${fans.rpm.join(', ') || 'none'}): hash boards stay off`, {
          hint: 'check that the fans are plugged in, not blocked, and that their tach wires are connected; mining powers the boards once every fan reads 300 rpm or more',
          context: { rpm: fans.rpm },
        });
      }
    }
    for (let c = 0; c < hb.chains; c++) {
      const locked = power.lockReason(c);
      if (locked !== undefined) {
        log.warn({ board: c, reason: locked }, 'board stays off: locked by the safety interlock');
        continue;
      }
      await power.setVoltage(c, hb.voltage.stockV);
      await power.enable(c, 'mining start');
    }
    await clock.sleep(POWER_SETTLE_MS);
    // 2. The pools, by priority with failover (pools/): jobs of the active pool feed the work
    //    builder; a new job refreshes every chain at once; a pool switch invalidates old work.
    this.builder = new WorkBuilder(hb.chains, this.pow.diff1Target);
    const ordered = [...config.pools].sort((a, b) => a.priority - b.priority);
    this.sessions = ordered.map(
      (p) => new StratumV1Session({ url: p.url, user: p.user, password: p.password ?? '', clock, logger: log.child({ pool: p.name }), ...poolSessionOptions(p) }),
    );
    const manager = new PoolManager(
      this.sessions.map((session, i) => ({ session, priority: ordered[i].priority })),
      { clock, log: log.child({ part: 'pools' }) },
    );
    this.pools = manager;
    this.poolNames = new Map(ordered.map((p) => [p.url, p.name]));
    manager.events.on('difficulty', (e) => (this.difficulty = e.difficulty), this);
    manager.events.on('active', () => this.checker.reset(), this);
    manager.events.on('job', ({ job }) => {
      const t0 = performance.now();
      this.builder!.setJob(job, Math.floor(Date.now() / 1000));
      this.hasWork = true;
      this.checker.onJob(job);
      this.core?.newWork();
      // Host time from the parsed notify to work handed to every chain's UART (bench figure).
      if (this.workLatencyMs.length < 10_000) this.workLatencyMs.push(performance.now() - t0);
    }, this);
    for (const s of this.sessions) s.events.on('extranonce', () => this.checker.reset(), this);
    // 3. The chains.
    const family = getChipFamily(hb.chipFamily);
    // Simulated chips in real-scrypt mode hash at the host CPU's pace, not the board's: expect
    // that rate, so the ticket rule picks the chips' minimum ticket (difficulty 1).
    const perChainHps = (this.o.boards.hostPacedScrypt ? SIM_REAL_SCRYPT_HPS : board.published.hashrateHps) / hb.chains;
    const interval = Math.max(1, Math.floor(256 / hb.chipsPerChain));
    // Nonces hashed on each UART's reader thread where the UART can (hal/linux; not the
    // in-process simulator or the remote hal), so the event loop wakes per batch, not per nonce.
    const powName = this.pow.name;
    const prehash = (powName === 'scrypt' || powName === 'scrypt-sim') ? { pow: powName } : undefined;
    this.core = new MinerCore<PoolMinerWork>({
      clock,
      log,
      plans: hal.uarts.map((uart, c) => ({
        chain: new Chain({ family, uart, clock, log, expectedChips: hb.chipsPerChain, chain: c, reset: hal.gpio.reset[c], prehash }),
        expectedChips: hb.chipsPerChain,
        freqMHz: hb.freqMHz.stock,
        expectedHps: perChainHps,
        refreshMs: bm1485RefreshMs(hb.freqMHz.stock, interval),
      })),
      source: new PoolWorkSource(this.builder, this.pow, () => this.difficulty),
      verify: (h, t) => this.pow.verify(h, t),
      cpuNoncesPerSec: cpuNoncesPerSecFor(this.pow.hashCostMs),
      onNonce: (w, ev, hash) => this.onNonce(w, ev, hash),
    });
    manager.start();
    await this.core.start();
    // Zero chains mining is a failed start, not "running": boards off, a clear error.
    if (!this.core.chains.some((c) => c.ready)) {
      const errors = this.core.chains.map((c) => c.error ?? 'not ready');
      await this.core.stop();
      this.core = undefined;
      await this.pools?.close();
      this.pools = undefined;
      await power.disableAll('no chain came up');
      throw new KabosuError('KBS_E_MINING_NO_CHAINS', `no chain came up (${errors.map((e, i) => `chain ${i}: ${e}`).join('; ')}): hash boards powered off`, {
        hint: 'check the hash-board connections (or the simulator transport) and the log lines "chain failed to start"',
        context: { errors },
      });
    }
  }

  private onNonce(w: PoolMinerWork, ev: NonceEvent, hash: Buffer): void {
    // mining.submit encodes the header's nonce field read little-endian; the chip's number is
    // those bytes read big-endian.
    // (byte-swapping the number: no header copy per nonce).
    const n = ev.nonce >>> 0;
    const nonceLE = (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
    const v = this.checker.classify(w.item, nonceLE, hash, w.ticketTarget);
    if (v.kind === 'ticket' || v.kind === 'invalid') return;
    if (v.kind !== 'share') {
      const why = v.kind === 'stale' ? `stale_${v.reason}` : v.kind;
      this.shares.notSubmitted[why] = (this.shares.notSubmitted[why] ?? 0) + 1;
      return;
    }
    const pools = this.pools;
    if (!pools) return;
    this.shares.submitted++;
    const sent = pools.submit(v.share);
    if (ev.readAt !== undefined) {
      const ms = performance.now() - ev.readAt;
      this.shareLatencyMs.push(ms);
      this.shareLatencyHist.record(ms);
      if (this.shareLatencyMs.length > 1000) this.shareLatencyMs.shift();
    }
    sent.then(
      (r: ManagedSubmitResult) => {
        this.shares.latencyMs = r.latencyMs;
        if (r.accepted) {
          this.shares.accepted++;
          this.shares.acceptedDifficulty += v.share.difficulty;
          this.shareStats.accepted(v.share.difficulty, this.o.clock.now());
          this.poolMeter.record(v.share.difficulty * 65536, this.o.clock.now());
          this.o.log.info({ chain: ev.chain, chip: ev.chip, difficulty: v.share.difficulty, latencyMs: r.latencyMs }, 'share accepted');
        } else {
          const cls = this.shareStats.rejected(v.share.difficulty, r.code, r.reason, this.o.clock.now());
          this.shares.rejected[cls] = (this.shares.rejected[cls] ?? 0) + 1;
          this.o.log.warn({ chain: ev.chain, reason: r.reason.slice(0, 160), class: cls, code: r.code }, 'share rejected');
        }
      },
      (err: Error) => {
        const cls = this.shareStats.rejected(v.share.difficulty, null, `submit failed: ${err.message}`, this.o.clock.now());
        this.shares.rejected[cls] = (this.shares.rejected[cls] ?? 0) + 1;
        this.o.log.warn({ err: err.message }, 'share submit failed');
      },
    );
  }

  async stop(): Promise<void> {
    await this.core?.stop();
    await this.pools?.close();
    // Boards off: nothing stays powered once the daemon stops mining.
    await this.power?.disableAll('mining stop');
  }

  // ---- Commands (MinerControl parts; see components.ts). Pool changes are runtime-only, as in
  // cgminer without `save`: the config file stays the persistent source and wins at restart.

  paused = false;

  /** Work stops and the boards are powered down; the pools stay connected. */
  async pause(reason: string): Promise<string> {
    if (this.paused) return 'already paused';
    this.paused = true;
    await this.core?.stop();
    this.core = undefined;
    await this.power?.disableAll(`paused: ${reason}`);
    this.o.log.warn({ reason }, 'mining paused: boards powered down');
    return 'paused: boards powered down';
  }

  async resume(): Promise<string> {
    if (!this.paused) return 'not paused';
    await this.restart();
    return 'resumed';
  }

  /** The whole pipeline again (power, pools, chains); not the process. */
  async restart(): Promise<string> {
    await this.stop();
    this.core = undefined;
    this.pools = undefined;
    this.paused = false;
    await this.start();
    return 'mining restarted';
  }

  private runningPools(): PoolManager {
    if (!this.pools) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'the pools are not running', { hint: 'mining is disabled, paused before start, or failed to start' });
    return this.pools;
  }

  private urlOf(name: string): string {
    for (const [url, n] of this.poolNames) if (n === name) return url;
    throw new KabosuError('KBS_E_POOLS_UNKNOWN', `no pool named '${name}'`, { context: { pools: [...this.poolNames.values()] } });
  }

  async switchPool(name: string): Promise<string> { this.runningPools().switchTo(this.urlOf(name)); return `switched to pool '${name}'`; }
  async enablePool(name: string): Promise<string> { this.runningPools().enable(this.urlOf(name)); return `pool '${name}' enabled`; }
  async disablePool(name: string): Promise<string> { this.runningPools().disable(this.urlOf(name)); return `pool '${name}' disabled`; }
  async poolPriority(names: string[]): Promise<string> { this.runningPools().reorder(names.map((n) => this.urlOf(n))); return `pool order: ${names.join(', ')}`; }

  async removePool(name: string): Promise<string> {
    const url = this.urlOf(name);
    await this.runningPools().remove(url);
    this.poolNames.delete(url);
    this.sessions = this.sessions.filter((s) => s.url !== url);
    return `pool '${name}' removed`;
  }

  async addPool(p: { url: string; user: string; password?: string; name?: string } & PoolSessionConfig): Promise<string> {
    if (!/^stratum\+(tcp|ssl|tls):\/\/[^\s/:]+:\d{1,5}$/.test(p.url)) {
      throw new KabosuError('KBS_E_POOLS_BAD_URL', `'${p.url}' is not a stratum URL`, { hint: 'stratum+tcp://host:port' });
    }
    const manager = this.runningPools();
    const taken = new Set(this.poolNames.values());
    let name = p.name ?? 'added';
    for (let i = 2; taken.has(name); i++) name = `${p.name ?? 'added'}-${i}`;
    const session = new StratumV1Session({ url: p.url, user: p.user, password: p.password ?? '', clock: this.o.clock, logger: this.o.log.child({ pool: name }), ...poolSessionOptions(p) });
    manager.add(session);
    session.events.on('extranonce', () => this.checker.reset(), this);
    this.sessions.push(session);
    this.poolNames.set(p.url, name);
    return `pool '${name}' added`;
  }

  /** A changed `pools` section applied live (added, removed, re-prioritised); other mining changes need a restart. */
  async reload(next: KabosuConfig): Promise<ReloadResult> {
    const prev = this.o.config;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (!same(prev.hashboards, next.hashboards) || !same(prev.mining, next.mining)) {
      return { applied: false, needsRestart: 'hash board or mining settings changed' };
    }
    this.o.config = next;
    if (same(prev.pools, next.pools) || !this.pools) return { applied: true };
    const manager = this.pools;
    const want = [...next.pools].sort((a, b) => a.priority - b.priority);
    const key = poolSessionKey;
    const keep = new Set(want.map(key));
    const old = new Map(prev.pools.map((p) => [p.url, key(p)]));
    for (const p of want) {
      if (old.get(p.url) !== key(p)) {
        if (this.poolNames.has(p.url)) await this.dropPool(p.url, manager);
        await this.addPool({ ...p });
        this.poolNames.set(p.url, p.name);
      } else this.poolNames.set(p.url, p.name);
    }
    for (const p of prev.pools) if (!keep.has(key(p)) && !want.some((w) => w.url === p.url)) await this.dropPool(p.url, manager);
    manager.reorder(want.map((p) => p.url));
    return { applied: true };
  }

  /** Removes a pool even when it is the active one (the config is authoritative). */
  private async dropPool(url: string, manager: PoolManager): Promise<void> {
    await manager.remove(url, { force: true });
    this.poolNames.delete(url);
    this.sessions = this.sessions.filter((s) => s.url !== url);
  }
}
