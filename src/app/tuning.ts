/**
 * The tuning component: runs the autotuner (src/tuning) against the mining pipeline's chains,
 * per-chip stats and board power. Starts each board from its stored profile when there is one
 * (re-validated), saves profiles and the report once tuned, fills `status.tuning`, raises the
 * tuner's events and owns `setPowerTarget`. Off when config asks for stock.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { BoardDefinition } from '../config/boardSchema';
import { getChipFamily } from '../chips';
import { KabosuError } from '../core/errors';
import type { TuningStatus } from '../core/minerApi';
import type { Clock } from '../hal/types';
import type { FrequencyOwner } from '../hashboard/frequencyOwner';
import type { MinerHal } from '../hal/types';
import type { HashBoards } from '../boards';
import { ticketWeight } from '../hashboard/minerCore';
import { writeJson } from '../store';
import { Autotuner } from '../tuning/autotuner';
import type { TunerEvent } from '../tuning/autotuner';
import { readBoardSerial } from '../tuning/boardSerial';
import { TuningDriver } from '../tuning/driver';
import { PmbusPowerReading } from '../tuning/powerReading';
import { targetFromConfig } from '../tuning/presets';
import { ProfileStore, profilesFromTuner, startsFromProfiles } from '../tuning/profile';
import { describeTarget, tuningReport, tuningStatus } from '../tuning/report';
import { minerSpecFromBoard } from '../tuning/spec';
import type { PowerReading, TuningTarget } from '../tuning/types';
import type { Component, ReloadResult } from './component';
import type { DaemonControl } from './control';
import type { MiningComponent } from './mining';

export const PROFILE_FILE = 'tuning-profiles.json';
export const REPORT_FILE = 'tuning-report.json';

export class TuningComponent implements Component<KabosuConfig> {
  readonly name = 'tuning';
  readonly reloads = ['tuning'] as const;
  readonly critical = false;
  tuner?: Autotuner;
  private driver?: TuningDriver;
  private board?: BoardDefinition;
  private savedConverged = false;
  private savedAtMs = -Infinity;
  private powerOverride: number | null = null;

  constructor(
    private readonly o: {
      config: KabosuConfig;
      clock: Clock;
      log: Logger;
      dataDir: string;
      control: DaemonControl;
      mining: MiningComponent;
      /** The hash boards (boards/). */
      boards: HashBoards;
      /** The one writer of chip frequencies: the tuner sets each chip's base through it. */
      frequencies: () => FrequencyOwner | undefined;
      /**
       * Board `b`'s PCB temperature (°C, null = unknown): heat shedding, the settle check, the
       * chip retry and saved profiles use it. The daemon wires the thermal loop's sensors.
       */
      boardTempC?: (board: number) => number | null;
    },
  ) {
    o.control.parts.setPowerTarget = (w) => this.setPowerTarget(w);
    o.control.parts.tuningReport = async () => {
      const r = this.report();
      if (!r) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'tuning is off', { hint: 'set tuning.target (or tuning.preset) in the config' });
      return r;
    };
  }

  private configTarget(cfg: KabosuConfig, board: BoardDefinition): TuningTarget | null {
    return targetFromConfig(cfg.tuning, board.published);
  }

  async start(): Promise<void> {
    const got = this.o.boards.available ? this.o.boards : undefined;
    const core = this.o.mining.core;
    const power = this.o.mining.power;
    if (!got || !core || !power) {
      this.o.log.info('no mining pipeline: tuning stays off');
      return;
    }
    const { hal, board } = got;
    this.board = board;
    const target = this.configTarget(this.o.config, board);
    if (!target) {
      this.o.log.info('tuning target is stock: boards run stock settings');
      return;
    }
    await this.launch(target, hal, board);
  }

  private async launch(target: TuningTarget, hal: MinerHal, board: BoardDefinition): Promise<void> {
    const core = this.o.mining.core!;
    const power = this.o.mining.power!;
    const freq = this.o.frequencies();
    if (!freq) {
      this.o.log.warn('no chip frequency owner: tuning stays off');
      return;
    }
    const hb = board.hashBoard;
    const family = getChipFamily(hb.chipFamily);
    const spec = minerSpecFromBoard(board, family, { hotC: Math.min(hb.thermal.hotC, this.o.config.thermal.hotC) });
    const store = new ProfileStore(join(this.o.dataDir, PROFILE_FILE));
    let stored = null;
    try {
      stored = store.load();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'tuning profiles unreadable: tuning from scratch');
    }
    // Profiles are keyed by the board's EEPROM serial; boards without one (L3+) by slot.
    const ee = hb.eeprom;
    const serials: Array<string | null> = ee
      ? await Promise.all(Array.from({ length: hb.chains }, (_, c) => (ee.addresses[c] !== undefined && hal.i2c[ee.bus] ? readBoardSerial(hal.i2c[ee.bus]!, ee.addresses[c]!) : Promise.resolve(null))))
      : Array.from({ length: hb.chains }, () => null);
    const starts = startsFromProfiles(stored, spec, board.id, serials);
    this.tuner = new Autotuner(spec, target, this.o.clock.now(), starts, {}, stored?.power ?? null);
    const tel = board.psu.telemetry;
    const reading: PowerReading = tel && hal.i2c[tel.bus] ? new PmbusPowerReading(hal.i2c[tel.bus]!, tel.address) : { wallPowerW: async () => null };
    this.driver = new TuningDriver({
      tuner: this.tuner,
      clock: this.o.clock,
      log: this.o.log,
      power: reading,
      hw: {
        boards: hb.chains,
        setVoltage: (b, v) => power.setVoltage(b, v),
        setChipFrequency: (b, c, mhz) => freq.setBase(b, c, mhz).then((r) => r.effectiveMHz[c]!),
        chipCounts: (b) => core.stats.chipCounts(b),
        boardTempC: (b) => this.boardTempC(b),
        hashesPerNonce: (b) => ticketWeight(core.chains[b]?.ticket?.difficulty ?? 1),
      },
      onEvents: (ev) => this.onEvents(ev, store, board, serials),
    });
    this.o.log.info({ target: describeTarget(target), serials, fromProfile: starts.map((s) => s !== null) }, 'tuning started');
    void this.driver.start().catch((err: Error) => this.o.log.error({ err: err.message }, 'tuning could not apply its first settings'));
  }

  private onEvents(events: TunerEvent[], store: ProfileStore, board: BoardDefinition, serials: ReadonlyArray<string | null>): void {
    const now = this.o.clock.now();
    for (const e of events) {
      if (e.kind === 'phase') continue;
      const warn = e.kind === 'chip_dead' || e.kind === 'chip_stepped_down' || e.kind === 'retune';
      this.o.control.raise({ at_ms: now, severity: warn ? 'warning' : 'info', source: 'tuning', kind: `tuning_${e.kind}`, message: e.message, data: { board: e.board, chip: e.chip } });
    }
    const t = this.tuner!;
    // Saved when tuning converges, and again (at most every 10 min) when chips lose or regain steps.
    const changed = events.some((e) => e.kind === 'chip_stepped_down' || e.kind === 'chip_restored');
    const resave = t.converged && changed && now - this.savedAtMs >= 10 * 60_000;
    if ((t.converged && !this.savedConverged) || resave) {
      this.savedConverged = true;
      this.savedAtMs = now;
      try {
        const temps = serials.map((_, b) => this.boardTempC(b));
        store.save(profilesFromTuner(t, { model: board.id, serials, ambientC: null, boardC: temps, nowMs: now }));
        writeJson(join(this.o.dataDir, REPORT_FILE), tuningReport(t, now, board.published));
        if (!resave) this.o.control.raise({ at_ms: now, severity: 'info', source: 'tuning', kind: 'tuning_converged', message: `tuned for ${describeTarget(t.currentTarget)}` });
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'tuning profile not saved');
      }
    }
    if (!t.converged) this.savedConverged = false;
  }

  private boardTempC(b: number): number | null {
    return this.o.boardTempC ? this.o.boardTempC(b) : null;
  }

  async setPowerTarget(watts: number | null): Promise<string> {
    const t = this.tuner;
    const board = this.board;
    if (!t || !board) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'tuning is off', { hint: 'set tuning.target (or tuning.preset) in the config' });
    if (watts !== null && !(Number.isFinite(watts) && watts >= 50 && watts <= 20_000)) throw new KabosuError('KBS_E_TUNING_TARGET', `power target ${String(watts)} W is out of range`, { hint: 'give watts between 50 and 20000, or null to go back to the config' });
    this.powerOverride = watts;
    const next = watts === null ? this.configTarget(this.o.config, board) : ({ kind: 'power', maxPowerW: watts } as const);
    if (!next) throw new KabosuError('KBS_E_TUNING_TARGET', 'the config target is stock; a power target needs tuning on', { hint: 'set tuning.target' });
    t.setTarget(next, this.o.clock.now());
    return `tuning for ${describeTarget(next)}`;
  }

  status(): TuningStatus {
    if (!this.tuner) return { target: 'stock', state: 'off', expected: null };
    return tuningStatus(this.tuner);
  }

  /** The full report (API), null when tuning is off. */
  report(): ReturnType<typeof tuningReport> | null {
    return this.tuner && this.board ? tuningReport(this.tuner, this.o.clock.now(), this.board.published) : null;
  }

  reload(config: KabosuConfig): ReloadResult {
    const board = this.board;
    if (!board) return { applied: true };
    const next = this.configTarget(config, board);
    if (!this.tuner) return next ? { applied: false, needsRestart: 'tuning was off at start; restart to tune' } : { applied: true };
    if (!next) return { applied: false, needsRestart: 'going back to stock settings needs a restart' };
    if (this.powerOverride === null) this.tuner.setTarget(next, this.o.clock.now());
    return { applied: true };
  }

  async stop(): Promise<void> {
    this.driver?.stop();
  }
}
