/**
 * Energy integrator (kWh), pure: trapezoid rule over power samples, with gaps longer than
 * `maxGapMs` (daemon stopped, clock jump) not counted. Persisting is the caller's (energyStore.ts).
 */
export class EnergyIntegrator {
  private last: { atMs: number; watts: number } | null = null;
  constructor(
    private joules = 0,
    private readonly maxGapMs = 60_000,
  ) {
    if (!Number.isFinite(joules) || joules < 0) this.joules = 0;
  }

  add(atMs: number, watts: number): void {
    if (!Number.isFinite(watts) || watts < 0 || !Number.isFinite(atMs)) return;
    const l = this.last;
    if (l && atMs > l.atMs && atMs - l.atMs <= this.maxGapMs) this.joules += ((l.watts + watts) / 2) * ((atMs - l.atMs) / 1000);
    if (!l || atMs >= l.atMs) this.last = { atMs, watts };
  }

  get kwh(): number {
    return this.joules / 3.6e6;
  }
}
