/**
 * The statistics the health classifiers rest on, pure. A healthy chip's nonces at the ticket
 * target are a Poisson process (src/sim README, chips.md §7): rate = hashrate / (ticket
 * difficulty x 65536). HW errors are Bernoulli trials over returned results.
 */

/** Nonces a healthy chip returns in `ms` at `hps` hashes/s and ticket difficulty `ticketDifficulty`. */
export function expectedNonces(hps: number, ticketDifficulty: number, ms: number): number {
  if (!(hps > 0) || !(ticketDifficulty > 0) || !(ms > 0)) return 0;
  return (hps * ms) / 1000 / (ticketDifficulty * 65536);
}

/** P(X <= k) for X ~ Poisson(lambda), summed in log space so large lambda does not underflow early. */
export function poissonCdf(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (!(lambda > 0)) return 1;
  let term = Math.exp(-lambda);
  if (term === 0) {
    // exp underflow: sum log terms instead
    let logTerm = -lambda;
    let sum = 0;
    for (let i = 0; i <= k; i++) {
      if (i > 0) logTerm += Math.log(lambda / i);
      sum += Math.exp(logTerm);
    }
    return Math.min(1, sum);
  }
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * Wilson score interval for a binomial proportion (errors out of trials) at `z` standard
 * deviations; [0, 1] when there were no trials.
 */
export function wilsonInterval(errors: number, trials: number, z = 3): { low: number; high: number } {
  if (!(trials > 0)) return { low: 0, high: 1 };
  const p = Math.min(1, Math.max(0, errors / trials));
  const z2 = z * z;
  const den = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / den;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
