/**
 * Fault specifications: what can be injected into a running simulator, as JSON (the control API
 * and scenario files use this shape; keys are snake_case as every wire payload, conventions 2.2).
 * Validated by ajv here, once, at the boundary; everything after works on typed values.
 */
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { KabosuError } from '../../core/errors';

export const FAULT_KINDS = [
  'chip-dead',
  'chip-silent',
  'chip-hw-errors',
  'uart-noise',
  'sensor-stuck',
  'sensor-absent',
  'sensor-implausible',
  'fan-seized',
  'tach-lost',
  'psu-sag',
  'ambient-step',
  'chain-unplugged',
  'regulator-fault',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTarget {
  chain?: number;
  chip?: number;
  /** Index into the chain's sensors (board definition order). */
  sensor?: number;
  fan?: number;
}

export interface FaultParams {
  /** chip-silent: the chip goes silent this long after injection. */
  after_ms?: number;
  /** chip-hw-errors: HW-error probability per nonce (default 0.2). */
  probability?: number;
  /** uart-noise (defaults 0.001 / 0.001). */
  bit_flip_prob?: number;
  drop_prob?: number;
  /** sensor-implausible: the reading reported (default 0 °C, the stock "failed sensor" value). */
  value_c?: number;
  /** psu-sag: PSU output as a fraction of nominal (default 0.9). */
  scale?: number;
  /** ambient-step: new ambient (to_c) or a change (delta_c, default +10). */
  to_c?: number;
  delta_c?: number;
  /** regulator-fault: 'output-off' (default: DC-DC output drops) or 'no-answer' (PIC NACKs). */
  mode?: 'output-off' | 'no-answer';
}

export interface FaultSpec {
  fault: FaultKind;
  target: FaultTarget;
  params: FaultParams;
}

export interface ScenarioStep extends FaultSpec {
  at_ms: number;
  /** true: clear the matching active fault (same kind and target) instead of injecting. */
  clear: boolean;
}

const idx = { type: 'integer', minimum: 0, maximum: 1023 } as const;
const prob = { type: 'number', minimum: 0, maximum: 1 } as const;
const targetSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { chain: idx, chip: idx, sensor: idx, fan: idx },
} as const;
const paramsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after_ms: { type: 'number', minimum: 0, maximum: 1e10 },
    probability: prob,
    bit_flip_prob: prob,
    drop_prob: prob,
    value_c: { type: 'number', minimum: -273, maximum: 1000 },
    scale: { type: 'number', minimum: 0, maximum: 1.5 },
    to_c: { type: 'number', minimum: -60, maximum: 100 },
    delta_c: { type: 'number', minimum: -100, maximum: 100 },
    mode: { type: 'string', enum: ['output-off', 'no-answer'] },
  },
} as const;
const faultProps = {
  fault: { type: 'string', enum: FAULT_KINDS },
  target: targetSchema,
  params: paramsSchema,
} as const;

export const faultSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fault'],
  properties: faultProps,
} as const;

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    steps: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['fault'],
        properties: {
          ...faultProps,
          at_ms: { type: 'number', minimum: 0, maximum: 1e10 },
          atMs: { type: 'number', minimum: 0, maximum: 1e10 },
          clear: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const checkFault = ajv.compile(faultSpecSchema);
const checkScenario = ajv.compile(scenarioSchema);

function invalid(what: string, errors: ErrorObject[] | null | undefined): KabosuError {
  const problems = (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'` : ''}`);
  return new KabosuError('KBS_E_SIM_BAD_REQUEST', `invalid ${what}: ${problems.join('; ')}`, {
    hint: `fault kinds: ${FAULT_KINDS.join(', ')}; see src/sim/README.md`,
    context: { problems },
  });
}

/** Validates unknown JSON as one fault. */
export function parseFaultSpec(data: unknown): FaultSpec {
  if (!checkFault(data)) throw invalid('fault', checkFault.errors);
  const d = data as { fault: FaultKind; target?: FaultTarget; params?: FaultParams };
  return { fault: d.fault, target: { ...d.target }, params: { ...d.params } };
}

/** Validates unknown JSON as a scenario `{steps: [{at_ms, fault, target, params, clear?}]}` (or a bare list). */
export function parseScenario(data: unknown): ScenarioStep[] {
  const wrapped = Array.isArray(data) ? { steps: data } : data;
  if (!checkScenario(wrapped)) throw invalid('scenario', checkScenario.errors);
  const steps = (wrapped as { steps: Array<FaultSpec & { at_ms?: number; atMs?: number; clear?: boolean }> }).steps;
  return steps
    .map((s) => ({
      fault: s.fault,
      target: { ...s.target },
      params: { ...s.params },
      at_ms: s.at_ms ?? s.atMs ?? 0,
      clear: s.clear ?? false,
    }))
    .sort((a, b) => a.at_ms - b.at_ms);
}

/** Two specs address the same thing (kind and target). */
export function sameTarget(a: FaultSpec, b: FaultSpec): boolean {
  return a.fault === b.fault && a.target.chain === b.target.chain && a.target.chip === b.target.chip && a.target.sensor === b.target.sensor && a.target.fan === b.target.fan;
}
