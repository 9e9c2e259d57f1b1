/**
 * /proc/interrupts, parsed (pure): the header names the CPUs; each line is `<label>: <count per
 * CPU> <chip> <hwirq> <name>`. The stock L3+ counts its fan tach pulses as interrupts of lines
 * "256:" and "254:" (chips.md §1, §10.5).
 */

/** The summed count of interrupt line `label` ("256"), or undefined when the line is absent or unreadable. */
export function interruptCount(text: string, label: string | number): number | undefined {
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  const cpus = (header.match(/CPU\d+/g) ?? []).length || 1;
  const want = `${label}:`;
  for (const line of lines.slice(1)) {
    const t = line.trimStart();
    if (!t.startsWith(want)) continue;
    const fields = t.slice(want.length).trim().split(/\s+/);
    let sum = 0;
    for (let i = 0; i < cpus; i++) {
      const f = fields[i];
      if (f === undefined || !/^\d+$/.test(f)) return undefined;
      sum += Number(f);
    }
    return sum;
  }
  return undefined;
}

/**
 * Revolutions per minute from two counter samples: pulses / pulsesPerRev over the elapsed time.
 * Null when the samples cannot give a rate (no time elapsed, counter went backwards: a wrap or a
 * reset, the caller starts a new window).
 */
export function rpmFromCounts(prev: { atMs: number; count: number }, now: { atMs: number; count: number }, pulsesPerRev: number): number | null {
  const dt = now.atMs - prev.atMs;
  const dn = now.count - prev.count;
  if (dt <= 0 || dn < 0) return null;
  return (dn / pulsesPerRev) * (60_000 / dt);
}
