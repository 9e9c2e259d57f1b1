/**
 * Wald's sequential probability ratio test for a chip's HW-error probability at one frequency:
 * H0: p <= p0 (the frequency is good) against H1: p >= p1 (it is not). Each clean nonce adds
 * ln((1-p1)/(1-p0)) to the log-likelihood ratio, each HW error ln(p1/p0); the test accepts H0
 * below ln(beta/(1-alpha)) and rejects above ln((1-beta)/alpha), so the false-reject rate is at
 * most alpha and the false-accept rate at most beta, with the fewest samples on average (Wald
 * 1945). With the defaults (p0 0.002, p1 0.05, alpha 0.02, beta 0.05) a clean chip passes after
 * 61 nonces; two HW errors close together fail it. A test still open after `maxSamples` decides
 * by the observed ratio against the midpoint (a truncated SPRT). Pure.
 */
export interface SprtParams {
  p0: number;
  p1: number;
  alpha: number;
  beta: number;
  maxSamples: number;
}

export const DEFAULT_SPRT: SprtParams = { p0: 0.002, p1: 0.05, alpha: 0.02, beta: 0.05, maxSamples: 400 };

export interface SprtState {
  llr: number;
  samples: number;
  errors: number;
}

export type SprtDecision = 'accept' | 'reject' | 'continue';

export function newSprt(): SprtState {
  return { llr: 0, samples: 0, errors: 0 };
}

export function sprtBounds(p: SprtParams): { lower: number; upper: number; perError: number; perClean: number } {
  return {
    lower: Math.log(p.beta / (1 - p.alpha)),
    upper: Math.log((1 - p.beta) / p.alpha),
    perError: Math.log(p.p1 / p.p0),
    perClean: Math.log((1 - p.p1) / (1 - p.p0)),
  };
}

/** Adds a window's counts; returns the decision after them (the state is updated in place). */
export function sprtUpdate(s: SprtState, good: number, errors: number, p: SprtParams = DEFAULT_SPRT): SprtDecision {
  if (!(good >= 0) || !(errors >= 0)) return 'continue';
  const b = sprtBounds(p);
  s.llr += good * b.perClean + errors * b.perError;
  s.samples += good + errors;
  s.errors += errors;
  if (s.llr >= b.upper) return 'reject';
  if (s.llr <= b.lower) return 'accept';
  if (s.samples >= p.maxSamples) return s.errors / s.samples <= Math.sqrt(p.p0 * p.p1) ? 'accept' : 'reject';
  return 'continue';
}

/**
 * Nonce yield: is a chip that returned `observed` nonces where `expected` were due (Poisson)
 * clearly short? True when P(X <= observed | expected) < alphaYield (a silent, hung or
 * core-broken chip). Needs expected >= 5 to say anything.
 */
export function yieldTooLow(observed: number, expected: number, alphaYield = 0.001): boolean {
  if (!(expected >= 5)) return false;
  let term = Math.exp(-expected);
  let cdf = term;
  for (let k = 1; k <= observed; k++) {
    term *= expected / k;
    cdf += term;
    if (cdf >= alphaYield) return false;
  }
  return cdf < alphaYield;
}
