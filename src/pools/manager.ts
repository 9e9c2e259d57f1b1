/**
 * Basic pool manager over PoolSessions: priority order (all sessions kept connected as hot
 * standbys), failover on disconnect or repeated rejects, failback to a better pool once it is
 * ready and out of its penalty, per-pool submit latency (EWMA). Time on the injected Clock.
 */
import type { Logger } from 'pino';
import { KabosuError } from '../core/errors';
import { TypedEmitter } from '../core/events';
import type { Clock } from '../hal/types';
import type { Job } from '../work/job';
import type { Share } from '../work/workItem';
import type { PoolSession, SubmitResult } from '../stratum/types';
import { ShareStats, type ShareStatsSnapshot } from './shareStats';
import type { RejectClass } from './rejectClass';
import { PoolMeasurements, type PoolMeasurementsSnapshot } from './measurements';
import { ScoreSelector, type PoolScore, type ScoreOptions } from './score';

export interface ManagedPool { session: PoolSession; priority: number }

export interface PoolHealth {
  url: string; priority: number; state: string; active: boolean; enabled: boolean;
  accepted: number; rejected: number; consecutiveRejects: number; latencyEwmaMs: number | null; penalizedUntil: number;
  /** The pool's share difficulty: of its latest job, else its latest set_difficulty; null before either. */
  difficulty: number | null;
  /** The latest set_difficulty (cgminer's "Stratum Difficulty"); it applies from the next job. */
  setDifficulty: number | null;
  shares: ShareStatsSnapshot;
  /** Windowed latency, rates, disconnects per hour, new-block jobs (measurements.ts). */
  measurements: PoolMeasurementsSnapshot;
}

/** A submit's outcome, the pool it went to, and the reject's class (rejectClass.ts). */
export type ManagedSubmitResult = SubmitResult & { url: string | undefined; rejectClass?: RejectClass };

export interface PoolManagerEvents {
  /** The active pool changed (url undefined: no pool usable). */
  active: { url: string | undefined; previous: string | undefined; reason: string; scores?: PoolScore[] };
  /** A job from the active pool (a switch re-emits the new pool's last job). */
  job: { url: string; job: Job };
  difficulty: { url: string; difficulty: number };
}

export interface PoolManagerOptions {
  clock: Clock; log: Logger;
  /** Consecutive rejects that trigger failover (default 5). */
  maxConsecutiveRejects?: number;
  /** How long a pool that failed over on rejects is skipped (default 5 min). */
  rejectPenaltyMs?: number;
  /** `failover` (priority order, immediate failback; default) or `score` (score.ts, with hysteresis). */
  strategy?: 'failover' | 'score';
  score?: ScoreOptions;
  /** How often `score` re-evaluates (default 5 s). */
  scoreIntervalMs?: number;
}

interface Entry extends ManagedPool {
  disabled: boolean; lastJob?: Job; stats: ShareStats; consecutiveRejects: number; ewma: number | null; penalizedUntil: number;
  setDifficulty?: number; jobDifficulty?: number; m: PoolMeasurements; lastState?: string;
}

export class PoolManager {
  readonly events = new TypedEmitter<PoolManagerEvents>();
  private readonly pools: Entry[];
  private activeEntry: Entry | undefined;
  private started = false;
  private readonly selector: ScoreSelector | undefined;
  private scoreTimer: { cancel(): void } | undefined;

  constructor(pools: readonly ManagedPool[], private readonly o: PoolManagerOptions) {
    if (pools.length === 0) throw new RangeError('the pool manager needs at least one pool');
    this.pools = [...pools].sort((a, b) => a.priority - b.priority)
      .map((p) => this.entry(p));
    for (const e of this.pools) this.watch(e);
    if (o.strategy === 'score') this.selector = new ScoreSelector(o.score);
  }

  private entry(p: ManagedPool): Entry {
    return { ...p, disabled: false, stats: new ShareStats(), consecutiveRejects: 0, ewma: null, penalizedUntil: 0, m: new PoolMeasurements() };
  }

  private watch(e: Entry): void {
    e.session.events.on('job', (job) => {
      e.m.job(job.cleanJobs, this.o.clock.now());
      e.lastJob = job;
      e.jobDifficulty = job.difficulty;
      if (e === this.activeEntry) this.events.emit('job', { url: e.session.url, job });
    }, this);
    // Every pool's difficulty is kept (a set_difficulty can arrive before the pool is ready and
    // selected: the test pool sends it with the authorize reply); the active one's is forwarded.
    e.session.events.on('difficulty', (d) => { e.setDifficulty = d; if (e === this.activeEntry) this.events.emit('difficulty', { url: e.session.url, difficulty: d }); }, this);
    e.session.events.on('state', ({ state }) => {
        e.m.state(e.lastState, state, this.o.clock.now());
        e.lastState = state;
        if (state !== 'ready') e.lastJob = undefined;
        this.reselect(`${e.session.url} ${state}`);
      }, this);
  }

  get active(): string | undefined { return this.activeEntry?.session.url; }

  start(): void {
    this.started = true;
    for (const e of this.pools) e.session.start();
    if (this.selector) this.scoreTimer = this.o.clock.setInterval(() => this.reselect('score'), this.o.scoreIntervalMs ?? 5000);
    this.reselect('start');
  }

  /**
   * Run-time changes (cgminer's switchpool/enablepool/disablepool/addpool/removepool/poolpriority).
   * Priorities are the list order; like cgminer's failover strategy, switching to a pool moves it
   * to the top (and enables it). Changes live in memory only; config is the persistent source.
   */
  switchTo(url: string): void {
    const e = this.find(url);
    e.disabled = false;
    this.reorder([url]);
  }

  enable(url: string): void {
    this.find(url).disabled = false;
    this.reselect(`${url} enabled`);
  }

  disable(url: string): void {
    const e = this.find(url);
    if (!e.disabled && this.pools.filter((x) => !x.disabled).length === 1) {
      throw new KabosuError('KBS_E_POOLS_LAST_ENABLED', `cannot disable ${url}: it is the last enabled pool`, { hint: 'enable or add another pool first' });
    }
    e.disabled = true;
    this.reselect(`${url} disabled`);
  }

  /** Adds a pool at the lowest priority; it connects at once when the manager runs. */
  add(session: PoolSession): void {
    if (this.pools.some((e) => e.session.url === session.url)) {
      throw new KabosuError('KBS_E_POOLS_DUPLICATE', `pool ${session.url} is already configured`);
    }
    const e = this.entry({ session, priority: this.pools.length });
    this.pools.push(e);
    this.renumber();
    this.watch(e);
    if (this.started) session.start();
    this.reselect(`${session.url} added`);
  }

  /** Removes a pool that is not the active one (cgminer refuses that too) and closes its session. */
  async remove(url: string, o: { force?: boolean } = {}): Promise<void> {
    const e = this.find(url);
    if (e === this.activeEntry && !o.force) throw new KabosuError('KBS_E_POOLS_ACTIVE', `cannot remove ${url}: it is the active pool`, { hint: 'switch to another pool first' });
    if (this.pools.length === 1) throw new KabosuError('KBS_E_POOLS_LAST_ENABLED', `cannot remove ${url}: it is the only pool`);
    this.pools.splice(this.pools.indexOf(e), 1);
    this.renumber();
    e.session.events.off(this);
    if (e === this.activeEntry) this.reselect(`${url} removed`); // force: the config dropped it
    await e.session.close();
  }

  /** The listed pools first, in that order; the others keep their relative order after them. */
  reorder(urls: readonly string[]): void {
    const first = [...new Set(urls)].map((u) => this.find(u));
    const rest = this.pools.filter((e) => !first.includes(e));
    this.pools.splice(0, this.pools.length, ...first, ...rest);
    this.renumber();
    this.reselect('priorities changed');
  }

  get urls(): string[] { return this.pools.map((e) => e.session.url); }

  private renumber(): void { this.pools.forEach((e, i) => (e.priority = i)); }

  private find(url: string): Entry {
    const e = this.pools.find((x) => x.session.url === url);
    if (!e) throw new KabosuError('KBS_E_POOLS_UNKNOWN', `no pool ${url}`, { context: { pools: this.urls } });
    return e;
  }

  async close(): Promise<void> {
    this.scoreTimer?.cancel();
    for (const e of this.pools) e.session.events.off(this);
    await Promise.all(this.pools.map((e) => e.session.close()));
  }

  /** Submit to the pool that gave the share's job (the active one); counts and tracks latency. */
  async submit(share: Share): Promise<ManagedSubmitResult> {
    const e = this.activeEntry;
    if (!e) return { accepted: false, reason: 'no active pool', code: null, latencyMs: 0, url: undefined, rejectClass: 'other' };
    const r = await e.session.submit(share);
    e.ewma = e.ewma === null ? r.latencyMs : e.ewma * 0.8 + r.latencyMs * 0.2;
    if (r.accepted) { e.stats.accepted(share.difficulty, this.o.clock.now()); e.consecutiveRejects = 0; e.m.submitted(r.latencyMs, 'accepted'); }
    else {
      const rejectClass = e.stats.rejected(share.difficulty, r.code, r.reason, this.o.clock.now());
      e.m.submitted(r.latencyMs, rejectClass);
      e.consecutiveRejects++;
      if (e.consecutiveRejects >= (this.o.maxConsecutiveRejects ?? 5)) {
        e.penalizedUntil = this.o.clock.now() + (this.o.rejectPenaltyMs ?? 300_000);
        e.consecutiveRejects = 0;
        this.o.log.warn({ url: e.session.url }, 'pool rejects repeatedly; failing over');
        this.reselect(`${e.session.url} repeated rejects`);
        this.o.clock.setTimeout(() => this.reselect(`${e.session.url} penalty over`), (this.o.rejectPenaltyMs ?? 300_000) + 1);
      }
      return { ...r, url: e.session.url, rejectClass };
    }
    return { ...r, url: e.session.url };
  }

  health(): PoolHealth[] {
    return this.pools.map((e) => {
      const shares = e.stats.snapshot();
      return {
        url: e.session.url, priority: e.priority, state: e.session.state, active: e === this.activeEntry, enabled: !e.disabled,
        accepted: shares.accepted, rejected: shares.rejected, consecutiveRejects: e.consecutiveRejects, latencyEwmaMs: e.ewma, penalizedUntil: e.penalizedUntil,
        difficulty: e.jobDifficulty ?? e.setDifficulty ?? null, setDifficulty: e.setDifficulty ?? null, shares,
        measurements: e.m.snapshot(this.o.clock.now()),
      };
    });
  }

  private reselect(reason: string): void {
    const now = this.o.clock.now();
    let best: Entry | undefined;
    let scores: PoolScore[] | undefined;
    if (this.selector) {
      const usable = (e: Entry) => !e.disabled && e.session.state === 'ready' && e.penalizedUntil <= now;
      const d = this.selector.decide(this.activeEntry?.session.url, this.pools.map((e) => ({ url: e.session.url, ready: usable(e), m: e.m.snapshot(now) })), now);
      best = this.pools.find((e) => e.session.url === d.switchTo) ?? this.pools.find((e) => !e.disabled && e.session.state === 'ready');
      if (best !== this.activeEntry) { reason = `${reason}: ${d.reason}`; scores = d.scores; }
    } else {
      best = this.pools.find((e) => !e.disabled && e.session.state === 'ready' && e.penalizedUntil <= now)
        ?? this.pools.find((e) => !e.disabled && e.session.state === 'ready');
    }
    if (best === this.activeEntry) return;
    const previous = this.activeEntry?.session.url;
    this.activeEntry = best;
    this.o.log.info({ url: best?.session.url, previous, reason, scores }, 'active pool changed');
    this.events.emit('active', scores ? { url: best?.session.url, previous, reason, scores } : { url: best?.session.url, previous, reason });
    const d = best?.setDifficulty ?? best?.jobDifficulty;
    if (best && d !== undefined) this.events.emit('difficulty', { url: best.session.url, difficulty: d });
    if (best?.lastJob) this.events.emit('job', { url: best.session.url, job: { ...best.lastJob, cleanJobs: true } });
  }
}
