import { useState } from 'preact/hooks';
import { api } from '../api';
import { num } from '../format';
import { useLive } from '../hooks';
import { ActionButton, Card, Field, Stat } from '../widgets';

export function Thermal() {
  const l = useLive();
  const th = l.status?.thermal;
  const [mode, setMode] = useState<'auto' | 'manual' | 'immersion'>('auto');
  const [duty, setDuty] = useState('60');
  if (!th) return <p>Thermal control is not running.</p>;
  return (
    <div class="grid">
      <Card title="Mode and targets">
        <Stat id="thermal-mode" label="mode" value={th.mode} />
        <Stat label="target / hot / dangerous" value={`${th.target_c} / ${th.hot_c} / ${th.dangerous_c} °C`} />
        <Stat label="interlock" value={th.interlock.armed ? 'armed' : 'NOT armed'} sub={`${th.interlock.trips} trip(s)${th.interlock.worker ? `, worker ${th.interlock.worker}` : ''}`} />
      </Card>
      <Card title="Boards">
        {th.boards.map((b) => (
          <Stat key={b.index} label={`board ${b.index}: ${b.state}`} value={num(b.chip_temp_c, 1, ' °C')} sub={`PCB ${num(b.board_temp_c, 1, ' °C')} · throttle ${b.throttle_pct}%`} />
        ))}
      </Card>
      <Card title="Fans">
        {th.fans.map((f) => (
          <Stat key={f.index} label={`fan ${f.index}${f.ok ? '' : ' FAULT'}`} value={f.rpm === null ? '–' : `${f.rpm} RPM`} sub={`duty ${f.duty_pct}%`} />
        ))}
      </Card>
      <Card title="Fan control">
        <Field id="fan-mode" label="Mode">
          <select id="fan-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as typeof mode)}>
            <option value="auto">auto (hold the target temperature)</option>
            <option value="manual">manual (fixed duty)</option>
            <option value="immersion">immersion (fans off)</option>
          </select>
        </Field>
        {mode === 'manual' ? (
          <Field id="fan-duty" label="Duty (%)">
            <input id="fan-duty" type="number" min={0} max={100} value={duty} onInput={(e) => setDuty((e.target as HTMLInputElement).value)} />
          </Field>
        ) : null}
        <ActionButton label="Apply fan mode" run={() => api('POST', '/api/v1/commands/fan-mode', mode === 'manual' ? { mode, duty_pct: Number(duty) } : { mode })} />
      </Card>
      {th.interlock.last_trip ? (
        <section class="card wide" aria-label="Last interlock trip">
          <h2>Last interlock trip</h2>
          <p>
            {new Date(th.interlock.last_trip.at_ms).toISOString()}: {th.interlock.last_trip.message} ({th.interlock.last_trip.reason})
          </p>
        </section>
      ) : null}
    </div>
  );
}
