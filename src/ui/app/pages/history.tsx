import { useState } from 'preact/hooks';
import { Chart } from '../chart';
import { rate } from '../format';
import { usePoll } from '../hooks';

interface Row {
  at_ms: number;
  hashrate_hps: number | null;
  pool_hps: number | null;
  power_w: number | null;
  chip_temp_max_c: number | null;
  board_temp_max_c: number | null;
  fan_rpm_min: number | null;
  accepted: number | null;
  rejected: number | null;
}
const RANGES = { '1h': 3600_000, '24h': 86400_000, '7d': 7 * 86400_000 } as const;
type Range = keyof typeof RANGES;

export function History() {
  const [range, setRange] = useState<Range>('1h');
  const [to] = useState(() => Date.now());
  const h = usePoll<{ step_minutes: number; series: Row[] }>(`/api/v1/history?from=${to - RANGES[range]}&to=${to}`, 60_000);
  const rows = h.data?.series ?? [];
  const t = rows.map((r) => r.at_ms / 1000);
  const col = (k: keyof Row) => rows.map((r) => r[k]);
  return (
    <div>
      <div class="buttons" role="group" aria-label="range">
        {(Object.keys(RANGES) as Range[]).map((r) => (
          <button type="button" key={r} aria-pressed={r === range} onClick={() => setRange(r)}>
            {r}
          </button>
        ))}
      </div>
      {h.error ? <p class="err">{h.error}</p> : null}
      <p class="help" data-testid="history-count">
        {rows.length} points, one per {h.data?.step_minutes ?? 1} min (the miner records one sample a minute and keeps 7 days).
      </p>
      <Chart title="Hashrate" series={[{ label: 'chips', color: '#e8a33d' }, { label: 'pool accepted', color: '#5fb3f9' }]} data={[t, col('hashrate_hps'), col('pool_hps')]} unit={rate} />
      <Chart title="Power (W)" series={[{ label: 'wall W', color: '#b48cf2' }]} data={[t, col('power_w')]} />
      <Chart title="Temperatures (°C)" series={[{ label: 'chip max', color: '#f26d6d' }, { label: 'board max', color: '#f2b56d' }]} data={[t, col('chip_temp_max_c'), col('board_temp_max_c')]} />
      <Chart title="Slowest fan (RPM)" series={[{ label: 'fan min', color: '#6df2a0' }]} data={[t, col('fan_rpm_min')]} />
      <Chart title="Shares per interval" series={[{ label: 'accepted', color: '#5fb3f9' }, { label: 'rejected', color: '#f26d6d' }]} data={[t, col('accepted'), col('rejected')]} />
    </div>
  );
}
