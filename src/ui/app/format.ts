/** Display helpers for the dashboard (pure). */
const RATE_UNITS: [number, string][] = [
  [1e12, 'TH/s'],
  [1e9, 'GH/s'],
  [1e6, 'MH/s'],
  [1e3, 'kH/s'],
];

export function rate(hps: number | null | undefined): string {
  if (hps === null || hps === undefined || !Number.isFinite(hps)) return '–';
  const [div, unit] = RATE_UNITS.find(([d]) => hps >= d) ?? [1, 'H/s'];
  return `${(hps / div).toFixed(2)} ${unit}`;
}

export function pct(relErr: number | null | undefined): string {
  return relErr === null || relErr === undefined ? '' : ` ±${(relErr * 100).toFixed(1)}%`;
}

export function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${Math.floor(s % 60)}s`;
}

export function num(v: number | null | undefined, digits = 1, unit = ''): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(digits)}${unit}`;
}

let tz = 'UTC';
export const setTimeZone = (z: string) => (tz = z);
export function time(ms: number): string {
  try {
    return new Date(ms).toLocaleString(undefined, { timeZone: tz, hour12: false });
  } catch {
    return new Date(ms).toISOString();
  }
}

/** Joules per terahash from wall watts and hashes per second; null when either is missing. */
export function efficiencyJPerTh(watts: number | null | undefined, hps: number): number | null {
  if (watts === null || watts === undefined || !(hps > 0)) return null;
  return watts / (hps / 1e12);
}

/** Joules per gigahash: the figure Scrypt miners quote (an L3+ is ~1.6 J/MH = 1600 J/GH). */
export function efficiencyJPerMh(watts: number | null | undefined, hps: number): number | null {
  if (watts === null || watts === undefined || !(hps > 0)) return null;
  return watts / (hps / 1e6);
}
