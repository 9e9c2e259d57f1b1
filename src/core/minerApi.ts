/**
 * The contract between the miner and everything that reports on it or commands it (telemetry,
 * HTTP, the cgminer API on :4028, the serial console, the CLI): one status snapshot shape, one
 * event record, one command surface. Producers (app/ and the areas it composes) fill these in;
 * consumers (api/, telemetry/, console/) only read them and call `MinerControl`, never reach into
 * components. Fields for parts a build does not have yet are `null`/absent, never invented.
 */
import type { TypedEmitter } from './events';

export interface HashrateFigure {
  hps: number;
  /** 1-sigma relative error (1/sqrt(nonces)); null when no nonce was counted. */
  rel_err: number | null;
}

export type RateWindows = Record<'5s' | '1m' | '15m' | 'total', HashrateFigure>;

export interface ChainStatus {
  index: number;
  chips_expected: number;
  chips_found: number;
  nonces: number;
  hw_errors: number;
  crc_errors: number;
  silent_chips: number[];
  freq_mhz: number | null;
  ticket_difficulty: number | null;
  hashrate: RateWindows;
}

/** A pool's last reject: its code and raw text (truncated to 160 characters), when it came. */
export interface PoolReject {
  code: number | null;
  text: string;
  at_ms: number;
  /** Its class (see `PoolStatus.rejected_reasons`). */
  class: string;
}

export interface PoolStatus {
  name: string;
  url: string;
  state: string;
  active: boolean;
  /** The pool's share difficulty (its latest job's, else its latest set_difficulty); null before either. */
  difficulty: number | null;
  latency_ms: number | null;
  accepted: number;
  /** All rejects, stale ones included. */
  rejected: number;
  /** Rejects the pool called stale (also in `rejected`). */
  stale?: number;
  /** Sums of the pool difficulty each share was submitted at (cgminer's Difficulty Accepted/Rejected/Stale). */
  difficulty_accepted?: number;
  difficulty_rejected?: number;
  difficulty_stale?: number;
  /** Pool difficulty of the last accepted share, and when it was accepted (ms since epoch). */
  last_share_difficulty?: number | null;
  last_share_at_ms?: number | null;
  /** Rejects by class: stale, duplicate, low_difficulty, job_not_found, unauthorized, other. */
  rejected_reasons?: Record<string, number>;
  last_reject?: PoolReject | null;
}

/** One hash board's temperatures and thermal state (thermal/). */
export interface BoardThermal {
  index: number;
  /** Hottest chip-side reading, °C; null when no valid reading. */
  chip_temp_c: number | null;
  /** Board (PCB) reading, °C; null when none. */
  board_temp_c: number | null;
  /** ok: normal; hot: frequency throttled; tripped: interlock powered it off; off: not powered. */
  state: 'ok' | 'hot' | 'tripped' | 'off';
  /** Frequency reduction applied by the thermal policy, 0..100 %. */
  throttle_pct: number;
}

export interface FanStatus {
  index: number;
  rpm: number | null;
  duty_pct: number;
  /** False when the tach disagrees with the commanded duty (stalled, missing). */
  ok: boolean;
}

export interface InterlockTrip {
  at_ms: number;
  /** Board index, or null for a miner-wide trip (all fans stopped, PSU fault). */
  board: number | null;
  /** Machine-readable: 'over_temp' | 'stale_reading' | 'frozen_reading' | 'implausible_reading' | 'fans_stopped' | 'regulator_fault' | ... */
  reason: string;
  message: string;
  /** Which interlock acted: the main thread's tick or the out-of-event-loop worker thread. */
  path?: 'main' | 'worker';
}

/**
 * The out-of-event-loop interlock (a worker thread with its own hardware connection): running,
 * starting, failed (not watching; retrying), unavailable (the hardware cannot be opened from a
 * second thread, e.g. the in-process simulator), stopped.
 */
export type InterlockWorkerState = 'starting' | 'running' | 'unavailable' | 'failed' | 'stopped';

export interface ThermalStatus {
  mode: 'auto' | 'manual' | 'immersion';
  target_c: number;
  hot_c: number;
  dangerous_c: number;
  boards: BoardThermal[];
  fans: FanStatus[];
  interlock: {
    armed: boolean;
    trips: number;
    last_trip: InterlockTrip | null;
    worker?: InterlockWorkerState;
    /** Why the worker is in that state (address it watches, error, what is unavailable). */
    worker_reason?: string;
    /** Trips the worker thread saw first (also counted in `trips`). */
    worker_trips?: number;
  };
}

export interface BoardPower {
  index: number;
  enabled: boolean;
  voltage_v: number | null;
  watts: number | null;
  /** True when watts come from hardware readback, false when estimated by the model. */
  measured: boolean;
}

export interface PowerStatus {
  boards: BoardPower[];
  /** At the wall (PSU input) when known, else the sum of boards plus the model's overhead. */
  wall_w: number | null;
  measured: boolean;
  /** Where wall_w comes from (PSU PMBus readback or the model) and its stated relative uncertainty, %. */
  source?: 'pmbus' | 'model';
  uncertainty_pct?: number;
  /** Persisted across restarts. */
  energy_kwh: number;
  limit_w: number | null;
}

export interface ChipStatus {
  chain: number;
  chip: number;
  /** The effective PLL frequency the frequency plan gives this chip (tuning, health cap, thermal scale). */
  freq_mhz: number | null;
  /** What freq_mhz is made of (hashboard/frequencyOwner): absent before the plan exists. */
  freq_plan?: {
    /** The tuner's frequency (board stock until tuned). */
    base_mhz: number;
    /** Health's ceiling, 'disabled' (PLL at the floor), or null. */
    cap_mhz: number | 'disabled' | null;
    /** The board's thermal/power scale, 0.5..1. */
    scale: number;
    /** What the chain last wrote to the chip; differs from freq_mhz while a change is being applied. */
    running_mhz: number | null;
  };
  nonces: number;
  hw_errors: number;
  hashrate: RateWindows;
  health: 'ok' | 'degraded' | 'dead' | 'disabled' | 'unknown';
  last_nonce_ms: number | null;
}

export interface TuningStatus {
  target: string;
  state: 'off' | 'tuning' | 'tuned' | 'validating' | 'throttled';
  /** Expected figures of the current result. */
  expected: { hashrate_hps: number; power_w: number; efficiency_j_per_th: number } | null;
}

/** Profit figures at one moment (src/economics/profit.ts); money in `EconomicsStatus.currency`. */
export interface EconomicsProfit {
  accepted_hps: number | null;
  power_w: number | null;
  ltc_per_day: number | null;
  doge_per_day: number | null;
  revenue_per_day: number | null;
  /** At the planned mean price of the next 24 h. */
  cost_per_day: number | null;
  margin_per_day: number | null;
  /** The margin at the price right now (what curtailment judges). */
  margin_now_per_day: number | null;
  break_even_price_per_kwh: number | null;
  j_per_mh: number | null;
  revenue_per_mh_day: number | null;
  cost_per_mh_day: number | null;
  /** ok: every input fresh; stale: an input is old; missing: an input is unknown. */
  quality: 'ok' | 'stale' | 'missing';
  degraded: string[];
}

export interface EconomicsWindow {
  kwh: number;
  revenue: number;
  cost: number;
  margin: number;
  /** Fraction of the window with prices known, 0..1. */
  coverage: number;
}

/** Economics (src/economics, issue #22): absent unless `economics.enabled`. */
export interface EconomicsStatus {
  currency: string;
  power: {
    source: 'wall-meter' | 'pmbus' | 'model' | 'none';
    total_w: number | null;
    uncertainty_pct: number | null;
    boards: { index: number; watts: number | null; uncertainty_pct: number | null }[];
  };
  tariff: { price_per_kwh: number; source: string; quality: 'ok' | 'stale'; day_mean_per_kwh: number };
  market: Record<string, { value: number | null; source: string | null; age_s: number | null; quality: 'ok' | 'stale' | 'missing' }>;
  market_problems: { source: string; message: string; age_s: number }[];
  now: EconomicsProfit;
  windows: Record<'1h' | '24h' | '30d', EconomicsWindow>;
  energy: { by_day: { day: string; kwh: number; cost: number }[]; by_month: { month: string; kwh: number; cost: number }[] };
  policy: {
    curtailed: boolean;
    reason: string | null;
    action: 'pause' | 'power';
    /** The power target economics asked the tuner for (null: none, the config's). */
    power_target_w: number | null;
    setpoint_w: number | null;
    auto_optimize: boolean;
    last_action: { at_ms: number; message: string; numbers: Record<string, number | string | null> } | null;
  };
  recommendation: { label: string; text: string; gain_per_day: number | null; margin_per_day: number; hashrate_hps: number; power_w: number; price_per_kwh: number } | null;
}

export interface DaemonStatus {
  version: string;
  uptime_s: number;
  state: 'starting' | 'mining' | 'waiting-for-work' | 'paused' | 'no-hashboards' | 'stopped';
  device_id: string;
  hashboards: { backend: string; model: string | null; simulated: boolean; pow: string | null; note?: string };
  hashrate: {
    chips: RateWindows;
    /** Difficulty-weighted accepted shares, as the pool would credit them. */
    pool_accepted: HashrateFigure | null;
  };
  shares: {
    submitted: number;
    accepted: number;
    /** By class: stale, duplicate, low_difficulty, job_not_found, unauthorized, other (never the pool's text). */
    rejected: Record<string, number>;
    not_submitted: Record<string, number>;
    /** Sums of the pool difficulty of accepted / rejected (stale included) / stale shares, all pools. */
    difficulty_accepted?: number;
    difficulty_rejected?: number;
    difficulty_stale?: number;
    /** Pool difficulty of the last accepted share; null before one. */
    last_share_difficulty?: number | null;
    /** The last reject from any pool. */
    last_reject?: PoolReject | null;
    /** Host time from a share's nonce bytes read off the UART to mining.submit written, over the last 1,000 shares. */
    submit_host_ms?: { samples: number; p50: number; p99: number };
    /** Host time from a parsed mining.notify to new work written to every chain's UART, over the last 1,000 jobs. */
    work_host_ms?: { samples: number; p50: number; p99: number };
    /** Every share's nonce read -> submit written since start, bucketed (src/core/latencyHistogram.ts). */
    submit_host_hist?: { le_ms: number[]; counts: number[] };
  };
  pools: PoolStatus[];
  chains: ChainStatus[];
  components: { name: string; critical: boolean; state: string; error?: string }[];
  /** Absent until thermal control runs. */
  thermal?: ThermalStatus;
  /** Absent until power readback/estimation runs. */
  power?: PowerStatus;
  tuning?: TuningStatus;
  /** Updates (src/app/ota.ts, docs/ota.md): what runs, from which slot, and any update under way. */
  ota?: OtaStatus;
  /** Absent unless economics is enabled. */
  economics?: EconomicsStatus;
}

/** The fleet's view of updates (docs/http-api.md, docs/mqtt.md `ota` topic). */
export interface OtaStatus {
  enabled: boolean;
  /** The version and build of the app running now, and the slot it runs from. */
  version: string;
  build_id: string | null;
  slot: 'a' | 'b' | 'factory';
  /** The committed slot (what the launcher starts when no trial is pending). */
  committed_slot: 'a' | 'b' | 'factory';
  /** Anti-rollback floor: bundles older than this are refused. */
  min_version: string;
  state: 'idle' | 'downloading' | 'writing' | 'installed' | 'restarting' | 'trying' | 'committed' | 'rolled_back' | 'failed';
  /** Download or write progress; null outside those states. */
  progress: { phase: 'downloading' | 'writing'; percent: number; bytes: number; total: number; eta_s: number | null } | null;
  /** The version on trial: tries left, how long it has had, what proof it still lacks. */
  trial: { slot: 'a' | 'b'; version: string; tries_left: number; elapsed_s: number; window_s: number; missing: string[] } | null;
  /** The last commit or rollback, with its reason. */
  last: { result: 'committed' | 'rolled_back'; slot: 'a' | 'b'; version: string; reason: string; at_ms: number } | null;
  /** The last refused or failed update: reason code and message. */
  last_error: { reason: string; message: string; at_ms: number } | null;
  refused: number;
}

/** Something an operator or a fleet tool should know about, as it happened. */
export interface DaemonEvent {
  at_ms: number;
  severity: 'info' | 'warning' | 'critical';
  /** Component that raised it: 'thermal', 'interlock', 'health', 'pools', 'tuning', 'mining', ... */
  source: string;
  /** Stable machine-readable kind, e.g. 'interlock_trip', 'chip_dead', 'pool_failover'. */
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface MinerEvents {
  event: DaemonEvent;
}

/** The miner's events, for telemetry and APIs to forward (bounded history in `recentEvents`). */
export type MinerEventBus = TypedEmitter<MinerEvents>;

/**
 * Commands from any interface (MQTT, HTTP, :4028, console). Each resolves with a short
 * operator-facing result or rejects with a KabosuError whose code and message say why
 * (e.g. `KBS_E_NOT_AVAILABLE` when this build or config lacks the part).
 */
export interface MinerControl {
  status(): DaemonStatus;
  events: MinerEventBus;
  recentEvents(limit?: number): DaemonEvent[];
  chips(): ChipStatus[];
  /** Stop hashing (boards powered down) until resume(); survives nothing across restarts. */
  pause(reason: string): Promise<string>;
  resume(): Promise<string>;
  /** Restart the mining pipeline (not the process). */
  restart(): Promise<string>;
  /** null clears the target (back to config). */
  setPowerTarget(watts: number | null): Promise<string>;
  setFanMode(mode: 'auto' | 'manual' | 'immersion', dutyPct?: number): Promise<string>;
  /** Blink the LED so a person can find the miner. */
  identify(seconds: number): Promise<string>;
  runDiagnostics(): Promise<unknown>;
  /** Pool management (names as in config). */
  switchPool(name: string): Promise<string>;
  enablePool(name: string): Promise<string>;
  disablePool(name: string): Promise<string>;
  addPool(p: { url: string; user: string; password?: string }): Promise<string>;
  removePool(name: string): Promise<string>;
  poolPriority(names: string[]): Promise<string>;
  /** The running config with every secret replaced by "***". */
  redactedConfig(): unknown;
  /** Validate and apply a whole new config through the hot-reload path; rejects with the report. */
  applyConfig(next: unknown): Promise<{ sections: string[]; needs_restart: string[] }>;
  /**
   * What the tuner found (src/tuning/report.ts TuningReport: per-board voltage, frequency
   * histogram, weak chips, expected figures, other targets); NOT_AVAILABLE when tuning is off.
   */
  tuningReport(): Promise<unknown>;
  /** Install a bundle streamed in (HTTP upload); resolves once written and flipped. */
  otaInstall?(source: AsyncIterable<Uint8Array>, origin: string, bytes?: number): Promise<unknown>;
  /** Fetch (resumable, pinned sha256) and install a bundle; resolves once the download started. */
  otaInstallUrl?(url: string, sha256: string, origin: string): Promise<unknown>;
}

/**
 * The bounded taxonomy pool rejects are counted by (`shares.rejected`, `pools[].rejected_reasons`,
 * `kabosu_shares_total{reason}`): pools' reject texts are free and often carry the share's
 * difficulty, so they are classified (src/pools/rejectClass.ts), never used as keys.
 */
export const REJECT_CLASSES = ['stale', 'duplicate', 'low_difficulty', 'job_not_found', 'unauthorized', 'other'] as const;
