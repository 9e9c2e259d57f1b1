import type { Clock } from '../hal/types';

/**
 * Soft-start: move a regulator's output in small steps so the chips' supply never jumps (a
 * large step browns out or overshoots the chain). Pure planning plus a thin stepping shell.
 */
export function rampSteps(fromV: number, toV: number, maxStepV: number): number[] {
  if (!(maxStepV > 0)) throw new RangeError('maxStepV must be > 0');
  if (!Number.isFinite(fromV) || !Number.isFinite(toV)) throw new RangeError('voltages must be finite');
  const n = Math.max(1, Math.ceil(Math.abs(toV - fromV) / maxStepV - 1e-9));
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? toV : fromV + ((toV - fromV) * (i + 1)) / n));
}

export async function rampVoltage(
  set: (volts: number) => Promise<number>,
  fromV: number,
  toV: number,
  o: { clock: Clock; maxStepV: number; stepMs: number },
): Promise<number> {
  let last = fromV;
  const steps = rampSteps(fromV, toV, o.maxStepV);
  for (let i = 0; i < steps.length; i++) {
    last = await set(steps[i]);
    if (i < steps.length - 1) await o.clock.sleep(o.stepMs);
  }
  return last;
}
