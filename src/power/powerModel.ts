/**
 * Per-board power model: P = c x V^2 x f + l x V x 2^((T - Tref)/doublingC) (dynamic C·V²·f plus
 * leakage that doubles every `doublingC`). Pure. `fitPowerModel` calibrates c and l against
 * measured samples by least squares (two unknowns, closed form); without measurements the model
 * keeps its prior (from the board's published power at stock).
 */
export interface PowerSample {
  volts: number;
  freqMHz: number;
  tempC: number;
  /** Measured board (DC) power, W. */
  watts: number;
}

export interface PowerModelParams {
  /** W per V² per MHz */
  dynamic: number;
  /** W per V at Tref */
  leakage: number;
  refTempC: number;
  doublingC: number;
}

export function dynamicTerm(s: { volts: number; freqMHz: number }): number {
  return s.volts * s.volts * s.freqMHz;
}

export function leakageTerm(s: { volts: number; tempC: number }, p: Pick<PowerModelParams, 'refTempC' | 'doublingC'>): number {
  return s.volts * 2 ** ((s.tempC - p.refTempC) / p.doublingC);
}

export function estimateWatts(p: PowerModelParams, s: { volts: number; freqMHz: number; tempC: number }): number {
  return Math.max(0, p.dynamic * dynamicTerm(s) + p.leakage * leakageTerm(s, p));
}

/** A prior from the published figure: `watts` at stock (V, f, T) with `leakageFraction` of it leakage. */
export function priorModel(stock: { volts: number; freqMHz: number; tempC: number; watts: number }, leakageFraction: number, refTempC = 70, doublingC = 25): PowerModelParams {
  const base = { refTempC, doublingC, dynamic: 0, leakage: 0 };
  return {
    ...base,
    dynamic: (stock.watts * (1 - leakageFraction)) / dynamicTerm(stock),
    leakage: (stock.watts * leakageFraction) / leakageTerm(stock, base),
  };
}

/**
 * Least-squares fit of (dynamic, leakage) to samples; falls back to a scale of the prior's
 * shape when the samples do not separate the two terms (all at one operating point).
 */
export function fitPowerModel(samples: readonly PowerSample[], prior: PowerModelParams): PowerModelParams {
  const good = samples.filter((s) => [s.volts, s.freqMHz, s.tempC, s.watts].every(Number.isFinite) && s.watts >= 0);
  if (good.length === 0) return prior;
  let aa = 0, ab = 0, bb = 0, ay = 0, by = 0;
  for (const s of good) {
    const a = dynamicTerm(s);
    const b = leakageTerm(s, prior);
    aa += a * a; ab += a * b; bb += b * b; ay += a * s.watts; by += b * s.watts;
  }
  const det = aa * bb - ab * ab;
  if (Math.abs(det) > 1e-9 * aa * bb) {
    const dynamic = (ay * bb - by * ab) / det;
    const leakage = (aa * by - ab * ay) / det;
    if (dynamic > 0 && leakage >= 0) return { ...prior, dynamic, leakage };
  }
  // One operating point: keep the prior's split, scale to the measurements.
  let num = 0, den = 0;
  for (const s of good) {
    const e = estimateWatts(prior, s);
    num += e * s.watts;
    den += e * e;
  }
  const k = den > 0 ? num / den : 1;
  return { ...prior, dynamic: prior.dynamic * k, leakage: prior.leakage * k };
}
