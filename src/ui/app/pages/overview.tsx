import { api } from '../api';
import { alertsOf } from '../alerts';
import { Chart } from '../chart';
import { duration, efficiencyJPerMh, num, pct, rate } from '../format';
import { useLive } from '../hooks';
import { ActionButton, Card, Stat } from '../widgets';

const SERIES = [
  { label: 'chips 1m', color: '#e8a33d' },
  { label: 'chips −1σ', color: 'rgba(232,163,61,0.4)', band: true },
  { label: 'chips +1σ', color: 'rgba(232,163,61,0.4)', band: true },
  { label: 'pool accepted', color: '#5fb3f9' },
];

export function Overview() {
  const l = useLive();
  const s = l.status;
  if (!s) return <p>Waiting for the first status…</p>;
  const alerts = alertsOf(s, l.events, Date.now());
  const chips = s.hashrate.chips;
  const pool = s.pools.find((p) => p.active);
  const rejected = Object.values(s.shares.rejected).reduce((a, b) => a + b, 0);
  const eff = efficiencyJPerMh(s.power?.wall_w, chips['1m'].hps);
  const data = [
    l.samples.map((x) => x[0]),
    l.samples.map((x) => x[1]),
    l.samples.map((x) => x[1] * (1 - x[2])),
    l.samples.map((x) => x[1] * (1 + x[2])),
    l.samples.map((x) => x[3]),
  ];
  return (
    <div class="grid">
      <section class="card wide alerts" aria-label="Alerts">
        <h2>Alerts</h2>
        {alerts.length === 0 ? (
          <p class="ok" data-testid="healthy">
            Healthy: {s.state}, no alerts.
          </p>
        ) : (
          <ul>
            {alerts.map((a) => (
              <li key={a.id} class={a.severity}>
                <span>{a.text}</span>{' '}
                {a.action.href ? <a href={a.action.href}>{a.action.label}</a> : <ActionButton label={a.action.label} run={() => api('POST', `/api/v1/commands/${a.action.command}`)} />}
              </li>
            ))}
          </ul>
        )}
      </section>
      <Card title="Hashrate">
        <Stat id="hashrate" label="chips, 1 min" value={rate(chips['1m'].hps)} sub={`${pct(chips['1m'].rel_err)} · 5 s ${rate(chips['5s'].hps)} · 15 min ${rate(chips['15m'].hps)}`} />
        <Stat id="pool-hashrate" label="pool accepted" value={rate(s.hashrate.pool_accepted?.hps)} sub={pct(s.hashrate.pool_accepted?.rel_err)} />
      </Card>
      <Card title="Shares">
        <Stat id="accepted" label="accepted" value={String(s.shares.accepted)} />
        <Stat id="rejected" label="rejected" value={String(rejected)} sub={Object.entries(s.shares.rejected).map(([k, v]) => `${k} ${v}`).join(', ')} />
      </Card>
      <Card title="Pool">
        <Stat id="pool" label={pool ? pool.name : 'active pool'} value={pool ? pool.state : 'none'} sub={pool ? `${pool.url} · diff ${pool.difficulty ?? '–'} · ${num(pool.latency_ms, 1, ' ms')}` : undefined} />
      </Card>
      <Card title="Power">
        <Stat id="power" label={s.power?.measured ? 'wall (measured)' : 'wall (estimated)'} value={num(s.power?.wall_w, 0, ' W')} />
        <Stat id="efficiency" label="efficiency" value={eff === null ? '–' : `${eff.toFixed(2)} J/MH`} />
      </Card>
      <Card title="Temperatures">
        {(s.thermal?.boards ?? []).map((b) => (
          <Stat key={b.index} label={`board ${b.index} (${b.state})`} value={num(b.chip_temp_c, 1, ' °C')} sub={`PCB ${num(b.board_temp_c, 1, ' °C')}`} />
        ))}
        {s.thermal ? null : <p>thermal control not running</p>}
      </Card>
      <Card title="Fans">
        {(s.thermal?.fans ?? []).map((f) => (
          <Stat key={f.index} label={`fan ${f.index}${f.ok ? '' : ' (fault)'}`} value={f.rpm === null ? '–' : `${f.rpm} RPM`} sub={`${f.duty_pct}% duty`} />
        ))}
      </Card>
      <Card title="Uptime">
        <Stat id="uptime" label={s.state} value={duration(s.uptime_s)} sub={`kabosu ${s.version}`} />
      </Card>
      <section class="card wide" aria-label="Live hashrate chart">
        <Chart title="Hashrate: chips (±1σ band) vs pool accepted, live" series={SERIES} data={data} bands={[[3, 2]]} unit={rate} />
      </section>
    </div>
  );
}
