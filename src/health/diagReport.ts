import type { HwFault } from './hwFaults';

/**
 * The `kabosu diag` report (wire shape, snake_case), and its readable rendering. Produced by
 * `runStandaloneDiagnostics` (boards powered up for the test) or by the running daemon's
 * `runDiagnostics` (live figures, no disruption of mining).
 */
export interface DiagChip {
  chip: number;
  address: number;
  /** Round trip of a register read, ms; null when the chip did not answer. */
  response_ms: number | null;
  /** Standalone scan: addressed reads that failed (no answer, wrong id), out of `reads`. */
  read_errors?: number;
  reads?: number;
  nonces?: number;
  hw_error_ratio?: number;
  health?: string;
}

export interface DiagChain {
  index: number;
  chips_expected: number;
  chips_found: number;
  /** Chips that did not answer an addressed read (chain order). */
  no_answer: number[];
  frames: number;
  bad_frames: number;
  error_rate: number;
  error?: string;
  chips: DiagChip[];
}

export interface DiagSensor {
  chain: number;
  sensor: number;
  local_c: number | null;
  remote_c: number | null;
  error?: string;
}

export interface DiagFan {
  index: number;
  max_rpm: number;
  /** Duty steps of the spin test (standalone), or the current duty only (daemon). */
  steps: { duty_pct: number; rpm: number | null }[];
  ok: boolean;
}

export interface DiagRegulator {
  board: number;
  kind: string;
  set_v: number | null;
  read_v: number | null;
  version?: number;
  error?: string;
}

export interface DiagReport {
  mode: 'standalone' | 'daemon';
  board: string;
  simulated: boolean;
  at_ms: number;
  duration_ms: number;
  ok: boolean;
  faults: HwFaultWire[];
  chains: DiagChain[];
  sensors: DiagSensor[];
  fans: DiagFan[];
  regulators: DiagRegulator[];
  psu: { vin_v: number; vout_v: number; pin_w: number; pout_w: number } | { error: string } | null;
  notes: string[];
}

export type HwFaultWire = Pick<HwFault, 'kind' | 'part' | 'board' | 'severity' | 'message'>;

const f1 = (v: number | null | undefined, d = 1): string => (v === null || v === undefined ? '-' : v.toFixed(d));

export function formatDiag(r: DiagReport): string {
  const out: string[] = [];
  out.push(`kabosu diag (${r.mode}${r.simulated ? ', simulated boards' : ''}) ${r.board}: ${r.ok ? 'ALL OK' : `${r.faults.length} FAULT(S)`} in ${(r.duration_ms / 1000).toFixed(1)} s`);
  for (const f of r.faults) out.push(`  ${f.severity === 'critical' ? '!!' : ' !'} ${f.part}: ${f.message}`);
  out.push('chains:');
  for (const c of r.chains) {
    const resp = c.chips.map((x) => x.response_ms).filter((x): x is number => x !== null);
    const avg = resp.length ? resp.reduce((a, b) => a + b, 0) / resp.length : null;
    out.push(`  chain ${c.index}: ${c.chips_found}/${c.chips_expected} chips${c.no_answer.length ? `, no answer: ${c.no_answer.join(',')}` : ''}, frame errors ${c.bad_frames}/${c.frames + c.bad_frames} (${(c.error_rate * 100).toFixed(2)} %)${avg !== null ? `, response ${avg.toFixed(1)} ms avg` : ''}${c.error ? `, ${c.error}` : ''}`);
    const flaky = c.chips.filter((x) => x.read_errors && x.reads && x.read_errors < x.reads);
    if (flaky.length) out.push(`    unreliable answers: ${flaky.map((x) => `chip ${x.chip} ${x.read_errors}/${x.reads} failed`).join(', ')}`);
    const bad = c.chips.filter((x) => x.health && x.health !== 'ok' && x.health !== 'unknown');
    for (const x of bad) out.push(`    chip ${x.chip}: ${x.health}${x.hw_error_ratio !== undefined ? `, HW errors ${(x.hw_error_ratio * 100).toFixed(2)} %` : ''}`);
  }
  out.push('sensors:');
  for (const s of r.sensors) out.push(`  chain ${s.chain} sensor ${s.sensor}: board ${f1(s.local_c)} °C, chip ${f1(s.remote_c)} °C${s.error ? ` (${s.error})` : ''}`);
  out.push('fans:');
  for (const f of r.fans) out.push(`  fan ${f.index}: ${f.steps.map((s) => `${s.duty_pct.toFixed(0)} % -> ${s.rpm ?? '-'} rpm`).join(', ')} ${f.ok ? 'ok' : 'FAULT'}`);
  out.push('regulators:');
  for (const g of r.regulators) out.push(`  board ${g.board} (${g.kind}${g.version !== undefined ? ` v${g.version}` : ''}): set ${f1(g.set_v, 3)} V, read ${f1(g.read_v, 3)} V${g.error ? ` (${g.error})` : ''}`);
  if (r.psu) out.push('psu:', 'error' in r.psu ? `  ${r.psu.error}` : `  in ${r.psu.vin_v.toFixed(0)} V ${r.psu.pin_w.toFixed(0)} W, out ${r.psu.vout_v.toFixed(2)} V ${r.psu.pout_w.toFixed(0)} W`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
