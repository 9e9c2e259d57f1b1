import { useState } from 'preact/hooks';
import { api } from '../api';
import { duration } from '../format';
import { useLive } from '../hooks';
import { ActionButton, Card, Field, Stat, errorText } from '../widgets';

export function System(p: { onLoggedOut: () => void }) {
  const l = useLive();
  const s = l.status;
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  if (!s) return <p>Waiting for the first status…</p>;
  return (
    <div class="grid">
      <Card title="Firmware">
        <Stat id="version" label="version" value={`kabosu ${s.version}`} sub={`device ${s.device_id}`} />
        <Stat label="uptime" value={duration(s.uptime_s)} sub={s.state} />
        <Stat label="hash boards" value={s.hashboards.backend} sub={`${s.hashboards.model ?? ''}${s.hashboards.simulated ? ' (simulated)' : ''}`} />
      </Card>
      <Card title="Update">
        <p>Firmware update (upload, slot, progress) is not available until OTA lands in kabosu.</p>
        <label for="ota-file">Firmware image</label>
        <input id="ota-file" type="file" disabled aria-describedby="ota-help" />
        <small id="ota-help" class="help">
          Disabled: this build has no OTA updater.
        </small>
      </Card>
      <Card title="Control">
        <ActionButton label="Restart mining" confirm="Restart the mining pipeline?" run={() => api('POST', '/api/v1/commands/restart')} />
        <ActionButton label="Pause mining" run={() => api('POST', '/api/v1/commands/pause')} />
        <ActionButton label="Resume mining" run={() => api('POST', '/api/v1/commands/resume')} />
        <ActionButton label="Identify (blink LED)" run={() => api('POST', '/api/v1/commands/identify', { seconds: 30 })} />
        <p class="help">Restart mining restarts the mining pipeline, not the machine (a reboot of the controller is not exposed yet).</p>
      </Card>
      <Card title="Components">
        <ul class="plain">
          {s.components.map((c) => (
            <li key={c.name}>
              {c.name}: {c.state}
              {c.error ? ` (${c.error})` : ''}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Admin password">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await api('POST', '/api/v1/auth/password', { current: cur, password: next });
              setMsg({ ok: true, text: 'password changed; every other browser is logged out' });
            } catch (err) {
              setMsg({ ok: false, text: errorText(err) });
            }
          }}
        >
          <Field id="pw-current" label="Current password">
            <input id="pw-current" type="password" autoComplete="current-password" value={cur} onInput={(e) => setCur((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="pw-next" label="New password (8 characters or more)">
            <input id="pw-next" type="password" autoComplete="new-password" value={next} onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit">Change password</button>
        </form>
        {msg ? <p role="status" class={msg.ok ? 'ok' : 'err'}>{msg.text}</p> : null}
      </Card>
      <Card title="Sessions">
        <button type="button" onClick={async () => (await api('POST', '/api/v1/auth/logout'), p.onLoggedOut())}>
          Log out
        </button>
        <button type="button" onClick={async () => (await api('POST', '/api/v1/auth/logout-all'), p.onLoggedOut())}>
          Log out everywhere
        </button>
      </Card>
    </div>
  );
}
