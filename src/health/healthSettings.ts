import { CONFIG_SCHEMA, type HealthConfig } from '../config/schema';
import type { ChipHealthParams } from './chipHealth';
import type { ChainHealthParams } from './chainHealth';
import type { HealthPolicyParams } from './healthPolicy';

/**
 * The `health` config section turned into the parameters of the pure health modules. Pure.
 * The schema's defaults are the constants the modules were tested with (DEFAULT_CHIP_HEALTH,
 * DEFAULT_CHAIN_HEALTH, the policy and watchdog figures): test/unit/health/healthSettings.test.ts
 * holds them equal, so a config without a `health` section behaves exactly as before.
 */
export type { HealthConfig };

export interface HealthSettings {
  /** false: no chip/chain judging, no watchdog, no hardware-fault events; power accounting, diag and identify still run. */
  enabled: boolean;
  /** false (`actions: "report"`): decisions are raised as events, never performed. */
  act: boolean;
  intervalMs: number;
  policy: HealthPolicyParams;
  chip: ChipHealthParams;
  chain: ChainHealthParams;
  watchdog: { enabled: boolean; intervalMs: number; windowMs: number; p: number; maxRestartsPerHour: number };
  hardware: { intervalMs: number; sensorStuckMs: number; psuSagRatio: number; regulatorToleranceV: number };
}

export function healthSettings(c: HealthConfig): HealthSettings {
  const act = c.actions === 'auto';
  return {
    enabled: c.enabled,
    act,
    intervalMs: c.intervalMs,
    policy: { maxReinitsPerHour: c.maxReinitsPerHour, freqStepMHz: c.freqStepMHz, minFreqMHz: c.minFreqMHz, deadChipsForReinit: c.deadChipsForReinit, deadGraceMs: c.deadGraceMs, act, recoverAfterMs: c.capRecoveryS * 1000, maxRecoverFailures: c.capRecoveryMaxFailures },
    chip: {
      deadP: c.chip.deadProbability,
      slowP: c.chip.slowProbability,
      slowExitP: c.chip.slowRecoveredProbability,
      slowFraction: c.chip.slowRatio,
      hwEnter: c.chip.degradedHwErrorRatio,
      hwExit: c.chip.recoveredHwErrorRatio,
      z: c.chip.confidenceSigma,
      windowMs: c.chip.windowMs,
      reviveResults: c.chip.reviveResults,
      minResults: c.chip.hwErrorMinResults,
    },
    chain: { crcEnter: c.chain.crcErrorRatio, crcExit: c.chain.crcRecoveredRatio, z: c.chain.confidenceSigma, windowMs: c.chain.windowMs },
    watchdog: { enabled: c.flatline.enabled, intervalMs: c.flatline.intervalMs, windowMs: c.flatline.windowMs, p: c.flatline.probability, maxRestartsPerHour: c.flatline.maxRestartsPerHour },
    hardware: { ...c.hardware },
  };
}

interface DefaultsNode {
  default?: unknown;
  properties?: Record<string, DefaultsNode>;
}

/** The defaults ajv's useDefaults fills in for an object node, read from the schema (no validator needed). */
function defaultsOf(n: DefaultsNode): unknown {
  if (!n.properties) return structuredClone(n.default);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n.properties)) {
    const d = defaultsOf(v);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

/** The `health` section of a config that does not mention it (every field at its schema default). */
export function defaultHealthConfig(): HealthConfig {
  return defaultsOf(CONFIG_SCHEMA.properties.health as unknown as DefaultsNode) as HealthConfig;
}
