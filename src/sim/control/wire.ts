/**
 * The control API's wire format, in one place (conventions 2.2): responses are the typed
 * camelCase objects converted to snake_case keys; requests are validated by ajv here.
 */
import Ajv from 'ajv';
import { KabosuError } from '../../core/errors';
import type { OracleOptions, OracleTarget } from '../oracle';

/** Deep camelCase -> snake_case key conversion ("hashrateHps" -> "hashrate_hps", "freqsMHz" -> "freqs_mhz", "efficiencyJoulesPerMH" -> "efficiency_joules_per_mh"). */
export function toWire(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toWire);
  if (v instanceof Float64Array) return Array.from(v);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[snake(k)] = toWire(x);
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return null; // JSON has no Infinity
  return v;
}

export function snake(k: string): string {
  // A capital after a lower-case letter or digit starts a word; unit tokens (MHz, MH) stay whole.
  return k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

const oracleRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    target: { type: 'string', enum: ['hashrate', 'power', 'efficiency'] },
    max_power_w: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
    min_hashrate_hps: { type: 'number', minimum: 0, maximum: 1e15 },
    ambient_c: { type: 'number', minimum: -40, maximum: 60 },
    fan_duty: { type: 'number', minimum: 0, maximum: 1 },
    hw_limit: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
    freq_step_mhz: { type: 'number', minimum: 0.01, maximum: 100 },
    max_board_c: { type: 'number', minimum: 0, maximum: 150 },
    snap_to_pll: { type: 'boolean' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const checkOracle = ajv.compile(oracleRequestSchema);

export interface OracleRequest {
  target: OracleTarget;
  opts: Partial<OracleOptions>;
}

export function parseOracleRequest(data: unknown): OracleRequest {
  if (!checkOracle(data)) {
    const problems = (checkOracle.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    throw badRequest(`invalid oracle request: ${problems.join('; ')}`, "target is 'hashrate', 'power' (with max_power_w) or 'efficiency' (with min_hashrate_hps)");
  }
  const d = data as { target: string; max_power_w?: number; min_hashrate_hps?: number; ambient_c?: number; fan_duty?: number; hw_limit?: number; freq_step_mhz?: number; max_board_c?: number; snap_to_pll?: boolean };
  let target: OracleTarget;
  if (d.target === 'power') {
    if (d.max_power_w === undefined) throw badRequest('the power target needs max_power_w');
    target = { kind: 'power', maxPowerW: d.max_power_w };
  } else if (d.target === 'efficiency') {
    target = { kind: 'efficiency', minHashrateHps: d.min_hashrate_hps ?? 0 };
  } else target = { kind: 'hashrate' };
  const opts: Partial<OracleOptions> = {};
  if (d.ambient_c !== undefined) opts.ambientC = d.ambient_c;
  if (d.fan_duty !== undefined) opts.fanDuty = d.fan_duty;
  if (d.hw_limit !== undefined) opts.hwLimit = d.hw_limit;
  if (d.freq_step_mhz !== undefined) opts.freqStepMHz = d.freq_step_mhz;
  if (d.max_board_c !== undefined) opts.maxBoardC = d.max_board_c;
  if (d.snap_to_pll === false) opts.achievableMHz = undefined;
  return { target, opts };
}

export function badRequest(message: string, hint?: string): KabosuError {
  return new KabosuError('KBS_E_SIM_BAD_REQUEST', message, { hint });
}
