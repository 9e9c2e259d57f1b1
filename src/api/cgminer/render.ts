import type { ChainStatus, DaemonStatus, HashrateFigure } from '../../core/minerApi';

/**
 * The report sections of both personalities (pure: status + time in, records out).
 * `antminer-l3plus`: stock L3+ key names, order and types, MH/s under the `GHS` keys (as stock).
 * `kabosu`: same envelope, `MHS` keys plus `rate_unit`, null for unknown readings, extra sections.
 * Stock placeholders when a reading is absent: 0 (as stock does for a missing board), "" for rates.
 */
export type Personality = 'antminer-l3plus' | 'kabosu';
export type Rec = Record<string, unknown>;
export const L3_SLOTS = 4;
export const L3_TYPE = 'Antminer L3+';
export const API_VERSION = '3.1';

const mhs = (f: HashrateFigure | undefined) => (f ? f.hps / 1e6 : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** cgminer reports Elapsed (and Device Elapsed) as whole seconds. */
const elapsedS = (s: DaemonStatus) => Math.floor(s.uptime_s);
/** cgminer's percentage: 100 * a / b with 4 decimals, 0 when b is 0. */
const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1e6) / 1e4 : 0);

/**
 * cgminer's `suffix_string(diff, 0)` for the pools `Diff` field ("65.5K" for 65536, stock L3+
 * capture): `%.3g` with K/M/G/T/P/E steps of 1000 from 1000 up, a plain integer below. Fractional
 * difficulties below 1000 (cgminer's uint64 would print "0") keep 3 significant digits.
 */
export function suffixString(v: number): string {
  const steps = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  let d = v;
  while (d >= 1000 && i < steps.length - 1) { d /= 1000; i++; }
  if (i === 0) return Number.isInteger(d) ? String(d) : String(+d.toPrecision(3));
  return `${+d.toPrecision(3)}${steps[i]}`;
}

export function description(s: DaemonStatus): string {
  return `kabosu ${s.version}`;
}

export function version(s: DaemonStatus, p: Personality): Rec[] {
  const v: Rec = { CGMiner: `kabosu ${s.version}`, API: API_VERSION, Miner: s.version, CompileTime: '', Type: L3_TYPE };
  if (p === 'kabosu') v.Type = `${L3_TYPE} (kabosu)`;
  return [v];
}

function rejectedTotal(s: DaemonStatus): number {
  return Object.values(s.shares.rejected).reduce((a, b) => a + b, 0);
}

function hwTotal(s: DaemonStatus): number {
  return s.chains.reduce((a, c) => a + c.hw_errors, 0);
}

export function summary(s: DaemonStatus, p: Personality, nowS: number): Rec[] {
  const rej = rejectedTotal(s);
  const acc = s.shares.accepted;
  const hw = hwTotal(s);
  const nonces = s.chains.reduce((a, c) => a + c.nonces, 0);
  const el = elapsedS(s);
  const da = s.shares.difficulty_accepted ?? 0;
  const dr = s.shares.difficulty_rejected ?? 0;
  const ds = s.shares.difficulty_stale ?? 0;
  const rate5 = mhs(s.hashrate.chips['5s']);
  const rateAv = mhs(s.hashrate.chips.total);
  const head: Rec = p === 'kabosu'
    ? { Elapsed: el, 'MHS 5s': r3(rate5), 'MHS av': r2(rateAv), 'MHS 1m': r2(mhs(s.hashrate.chips['1m'])), 'MHS 15m': r2(mhs(s.hashrate.chips['15m'])), rate_unit: 'MH' }
    : { Elapsed: el, 'GHS 5s': rate5.toFixed(3), 'GHS av': r2(rateAv) };
  return [{
    ...head,
    'Found Blocks': 0,
    Getworks: 0,
    Accepted: acc,
    Rejected: rej,
    'Hardware Errors': hw,
    Utility: s.uptime_s > 0 ? r2((acc * 60) / s.uptime_s) : 0,
    Discarded: 0,
    Stale: s.shares.rejected.stale ?? 0,
    'Get Failures': 0,
    'Local Work': 0,
    'Remote Failures': 0,
    'Network Blocks': 0,
    'Total MH': r2(rateAv * s.uptime_s),
    // Difficulty-1 shares per minute the pool saw (accepted + rejected); the L3+ capture's
    // 377447.21 = (2397855744 + 18202624) * 60 / 384063.
    'Work Utility': el > 0 ? r2(((da + dr) * 60) / el) : 0,
    'Difficulty Accepted': da,
    'Difficulty Rejected': dr,
    'Difficulty Stale': ds,
    'Best Share': 0,
    'Device Hardware%': pct(hw, hw + nonces),
    'Device Rejected%': pct(rej, acc + rej),
    // Weighted by difficulty, as cgminer; stale rejects are part of the rejected sum here.
    'Pool Rejected%': pct(dr, da + dr),
    'Pool Stale%': pct(ds, da + dr),
    'Last getwork': nowS,
  }];
}

function stratumHost(url: string): string {
  const m = /^[a-z+]+:\/\/([^/:]+)/i.exec(url);
  return m ? m[1] : '';
}

/** `users`: pool name → worker name (from the redacted config; not a secret). */
export function pools(s: DaemonStatus, p: Personality, users: ReadonlyMap<string, string> = new Map()): Rec[] {
  return s.pools.map((pool, i) => {
    const alive = pool.state === 'ready' || pool.active;
    const da = pool.difficulty_accepted ?? 0;
    const dr = pool.difficulty_rejected ?? 0;
    const ds = pool.difficulty_stale ?? 0;
    const r: Rec = {
      POOL: i, URL: pool.url, Status: alive ? 'Alive' : 'Dead', Priority: i, Quota: 1, 'Long Poll': 'N',
      Getworks: 0, Accepted: pool.accepted, Rejected: pool.rejected, Discarded: 0, Stale: pool.stale ?? 0,
      'Get Failures': 0, 'Remote Failures': 0, User: users.get(pool.name) ?? '', 'Last Share Time': '0',
      Diff: pool.difficulty !== null ? suffixString(pool.difficulty) : '', 'Diff1 Shares': 0, 'Proxy Type': '', Proxy: '',
      'Difficulty Accepted': da, 'Difficulty Rejected': dr, 'Difficulty Stale': ds,
      'Last Share Difficulty': pool.last_share_difficulty ?? 0, 'Has Stratum': true, 'Stratum Active': pool.active,
      'Stratum URL': pool.active ? stratumHost(pool.url) : '', 'Has GBT': false, 'Best Share': 0,
      'Pool Rejected%': pct(dr, da + dr),
      'Pool Stale%': pct(ds, da + dr),
    };
    if (p === 'kabosu') {
      r.Name = pool.name;
      r.State = pool.state;
      r['Latency ms'] = pool.latency_ms;
      r['Stratum Difficulty'] = pool.difficulty;
      r['Work Utility'] = elapsedS(s) > 0 ? r2(((da + dr) * 60) / elapsedS(s)) : 0;
      r['Last Reject'] = pool.last_reject?.text ?? '';
      r['Last Reject Code'] = pool.last_reject?.code ?? null;
    }
    return r;
  });
}

export function devs(s: DaemonStatus, p: Personality): Rec[] {
  return s.chains.map((c) => {
    const t = s.thermal?.boards.find((b) => b.index === c.index);
    const base: Rec = { ASC: c.index, Name: 'BTM', ID: c.index, Enabled: 'Y', Status: c.chips_found > 0 ? 'Alive' : 'Dead',
      Temperature: t?.chip_temp_c ?? (p === 'kabosu' ? null : 0) };
    const rates: Rec = p === 'kabosu'
      ? { 'MHS av': r2(mhs(c.hashrate.total)), 'MHS 5s': r3(mhs(c.hashrate['5s'])), 'MHS 1m': r2(mhs(c.hashrate['1m'])), 'MHS 15m': r2(mhs(c.hashrate['15m'])), rate_unit: 'MH' }
      : { 'MHS av': r2(mhs(c.hashrate.total)), 'MHS 5s': r3(mhs(c.hashrate['5s'])), 'MHS 1m': r2(mhs(c.hashrate['1m'])), 'MHS 15m': r2(mhs(c.hashrate['15m'])) };
    return { ...base, ...rates, Accepted: 0, Rejected: 0, 'Hardware Errors': c.hw_errors, Utility: 0, 'Last Share Pool': -1,
      'Last Share Time': 0, 'Total MH': 0, 'Diff1 Work': c.nonces, 'Difficulty Accepted': 0, 'Difficulty Rejected': 0,
      'Last Share Difficulty': 0, 'No Device': false, 'Last Valid Work': 0,
      'Device Hardware%': c.hw_errors + c.nonces > 0 ? Math.round((c.hw_errors / (c.hw_errors + c.nonces)) * 1e6) / 1e4 : 0,
      'Device Rejected%': 0, 'Device Elapsed': elapsedS(s) };
  });
}

export function devdetails(s: DaemonStatus): Rec[] {
  return s.chains.map((c) => ({ DEVDETAILS: c.index, Name: 'BTM', ID: c.index, Driver: 'bitmain', Kernel: '', Model: s.hashboards.model ?? '', 'Device Path': '' }));
}

/** Per-chip status string: groups of 8 with a leading space, 'o' answering, 'x' silent or missing. */
export function chainAcs(c: ChainStatus): string {
  if (c.chips_found === 0) return '';
  const silent = new Set(c.silent_chips);
  const n = Math.max(c.chips_expected, c.chips_found);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i % 8 === 0) out += ' ';
    out += i < c.chips_found && !silent.has(i) ? 'o' : 'x';
  }
  return out;
}

export function stats(s: DaemonStatus, p: Personality): Rec[] {
  const header = version(s, p)[0];
  const hdr: Rec = { CGMiner: header.CGMiner, Miner: header.Miner, CompileTime: header.CompileTime, Type: header.Type };
  const unknown = p === 'kabosu' ? null : 0;
  const slots = Math.max(L3_SLOTS, s.chains.length);
  const chain = (i: number) => s.chains.find((c) => c.index === i - 1);
  const board = (i: number) => s.thermal?.boards.find((b) => b.index === i - 1);
  const pw = (i: number) => s.power?.boards.find((b) => b.index === i - 1);
  const fans = s.thermal?.fans ?? [];
  const freqs = s.chains.map((c) => c.freq_mhz).filter((f): f is number => f !== null);
  const rate5 = mhs(s.hashrate.chips['5s']);
  const rateAv = mhs(s.hashrate.chips.total);
  const rec: Rec = { STATS: 0, ID: 'L30', Elapsed: elapsedS(s), Calls: 0, Wait: 0, Max: 0, Min: 99999999 };
  if (p === 'kabosu') Object.assign(rec, { 'MHS 5s': r3(rate5), 'MHS av': r2(rateAv), rate_unit: 'MH' });
  else Object.assign(rec, { 'GHS 5s': rate5.toFixed(3), 'GHS av': r2(rateAv) });
  rec.miner_count = s.chains.filter((c) => c.chips_found > 0).length;
  rec.frequency = freqs.length ? String(Math.round(Math.max(...freqs))) : '';
  rec.fan_num = fans.length;
  for (let i = 1; i <= slots; i++) rec[`frequency${i}`] = chain(i)?.freq_mhz != null ? String(Math.round(chain(i)!.freq_mhz!)) : '';
  for (let i = 1; i <= Math.max(2, fans.length); i++) rec[`fan${i}`] = fans[i - 1]?.rpm ?? unknown;
  rec.temp_num = s.thermal ? s.thermal.boards.filter((b) => b.board_temp_c !== null).length : 0;
  for (let i = 1; i <= slots; i++) rec[`temp${i}`] = board(i)?.board_temp_c ?? unknown;
  for (let i = 1; i <= slots; i++) rec[`temp2_${i}`] = board(i)?.chip_temp_c ?? unknown;
  for (let i = 1; i <= slots; i++) rec[`temp3${i}`] = unknown;
  for (let i = 1; i <= slots; i++) rec[`temp4_${i}`] = unknown;
  const temps = (s.thermal?.boards ?? []).flatMap((b) => [b.board_temp_c, b.chip_temp_c]).filter((t): t is number => t !== null);
  rec.temp_max = temps.length ? Math.max(...temps) : unknown;
  const hw = hwTotal(s);
  const nonces = s.chains.reduce((a, c) => a + c.nonces, 0);
  rec['Device Hardware%'] = hw + nonces > 0 ? Math.round((hw / (hw + nonces)) * 1e6) / 1e4 : 0;
  rec.no_matching_work = hw;
  for (let i = 1; i <= slots; i++) rec[`chain_acn${i}`] = chain(i)?.chips_found ?? 0;
  for (let i = 1; i <= slots; i++) rec[`chain_acs${i}`] = chain(i) ? chainAcs(chain(i)!) : '';
  for (let i = 1; i <= slots; i++) rec[`chain_hw${i}`] = chain(i)?.hw_errors ?? 0;
  for (let i = 1; i <= slots; i++) {
    const c = chain(i);
    rec[`chain_rate${i}`] = c && c.chips_found > 0 ? mhs(c.hashrate['5s']).toFixed(2) : '';
  }
  if (s.power) {
    for (let i = 1; i <= slots; i++) rec[`chain_power${i}`] = r2(pw(i)?.watts ?? 0);
    rec.chain_power = r2(s.power.boards.reduce((a, b) => a + (b.watts ?? 0), 0));
    for (let i = 1; i <= slots; i++) rec[`voltage${i}`] = r2(pw(i)?.voltage_v ?? 0);
  }
  return [hdr, rec];
}

export function config(s: DaemonStatus): Rec[] {
  return [{ 'ASC Count': s.chains.length, 'PGA Count': 0, 'Pool Count': s.pools.length, Strategy: 'Failover', 'Log Interval': 5,
    'Device Code': 'BTM', OS: 'Linux', Hotplug: 'None' }];
}

export function coin(): Rec[] {
  return [{ 'Hash Method': 'scrypt', 'Current Block Time': 0, 'Current Block Hash': '', LP: false, 'Network Difficulty': 0 }];
}

export function lcd(s: DaemonStatus, p: Personality, nowS: number): Rec[] {
  const active = s.pools.find((x) => x.active);
  const temps = (s.thermal?.boards ?? []).map((b) => b.chip_temp_c).filter((t): t is number => t !== null);
  const av = r2(mhs(s.hashrate.chips.total));
  const unit = p === 'kabosu' ? 'MHS' : 'GHS';
  return [{ Elapsed: elapsedS(s), [`${unit} av`]: av, [`${unit} 5m`]: r2(mhs(s.hashrate.chips['1m'])), [`${unit} 5s`]: r3(mhs(s.hashrate.chips['5s'])),
    Temperature: temps.length ? Math.max(...temps) : p === 'kabosu' ? null : 0, 'Last Share Difficulty': s.shares.last_share_difficulty ?? 0,
    'Last Share Time': 0, 'Best Share': 0, 'Last Valid Work': nowS, 'Found Blocks': 0, 'Current Pool': active?.url ?? '', User: '' }];
}

/** kabosu personality extra sections (chips, tuner, thermal). */
export function kabosuExtras(s: DaemonStatus, chips: readonly import('../../core/minerApi').ChipStatus[]): Rec {
  return {
    KABOSU: [{ Version: s.version, State: s.state, Backend: s.hashboards.backend, Model: s.hashboards.model, Simulated: s.hashboards.simulated, rate_unit: 'MH' }],
    CHIPS: chips.map((c) => ({ Chain: c.chain, Chip: c.chip, 'Freq MHz': c.freq_mhz, Nonces: c.nonces, 'Hardware Errors': c.hw_errors, 'MHS 5s': r3(mhs(c.hashrate['5s'])), Health: c.health, rate_unit: 'MH' })),
    TUNER: s.tuning ? [{ Target: s.tuning.target, State: s.tuning.state, 'Expected MHS': s.tuning.expected ? r2(s.tuning.expected.hashrate_hps / 1e6) : null, 'Expected W': s.tuning.expected?.power_w ?? null, rate_unit: 'MH' }] : [],
    THERMAL: s.thermal ? [{ Mode: s.thermal.mode, 'Target C': s.thermal.target_c, Boards: s.thermal.boards.length, Fans: s.thermal.fans.length, 'Interlock Trips': s.thermal.interlock.trips }] : [],
    // Only with economics enabled (the section list is part of the contract).
    ...(s.economics ? { ECONOMICS: [economicsRow(s.economics)] } : {}),
  };
}

/** The kabosu personality's ECONOMICS section (src/economics): money per day in `Currency`. */
function economicsRow(e: import('../../core/minerApi').EconomicsStatus): Rec {
  const p = e.now;
  return {
    Currency: e.currency, 'Revenue/Day': p.revenue_per_day, 'Cost/Day': p.cost_per_day, 'Margin/Day': p.margin_per_day, 'Margin Now/Day': p.margin_now_per_day,
    'Break Even Price/kWh': p.break_even_price_per_kwh, 'Price/kWh': e.tariff.price_per_kwh, 'J/MH': p.j_per_mh, 'Power W': e.power.total_w, 'Power Source': e.power.source,
    'Power Uncertainty %': e.power.uncertainty_pct, Quality: p.quality, Curtailed: e.policy.curtailed, Recommendation: e.recommendation?.text ?? null,
  };
}
