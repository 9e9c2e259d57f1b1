import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, formatIssue, setCsrf, startLive } from '../api';
import { rate, time } from '../format';
import { useLive } from '../hooks';
import { Field, errorText } from '../widgets';
import { PoolTest } from './pools';

const STEPS = ['Admin password', 'Pool', 'Tuning', 'Time zone', 'Telemetry', 'Start mining'];

function zones(): string[] {
  const i = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return i.supportedValuesOf ? i.supportedValuesOf('timeZone') : ['UTC'];
}

/** First boot (no admin password yet): the steps to a mining miner and its first accepted share. */
export function Wizard(p: { onDone: () => void }) {
  const [step, setStep] = useState(0);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [pool, setPool] = useState({ name: 'main', url: 'stratum+tcp://', user: '', password: '' });
  const [target, setTarget] = useState('stock');
  const [tz, setTz] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [mqtt, setMqtt] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [started, setStarted] = useState(false);
  const l = useLive();
  // when this page saw the first accepted share (pools' last_share_at_ms is on the daemon's monotonic clock, not wall time)
  const [firstAt, setFirstAt] = useState<number | null>(null);
  const accepted = l.status?.shares.accepted ?? 0;
  useEffect(() => {
    if (started && accepted > 0 && firstAt === null) setFirstAt(Date.now());
  }, [started, accepted]);
  const next = () => (setErr(null), setStep(step + 1));

  const finish = async () => {
    setErr(null);
    try {
      const cfg = await api<Record<string, any>>('GET', '/api/v1/config'); // eslint-disable-line @typescript-eslint/no-explicit-any
      const doc = {
        ...cfg,
        mining: { ...cfg.mining, enabled: true },
        pools: [{ name: pool.name, url: pool.url, user: pool.user, ...(pool.password ? { password: pool.password } : {}) }],
        tuning: { ...cfg.tuning, target },
        api: { ...cfg.api, http: { ...cfg.api?.http, ui: { ...cfg.api?.http?.ui, timeZone: tz } } },
        telemetry: { ...cfg.telemetry, mqtt: { ...cfg.telemetry?.mqtt, enabled: mqtt !== '', ...(mqtt ? { url: mqtt } : {}) } },
      };
      await api('PUT', '/api/v1/config', doc);
      setStarted(true);
      startLive();
    } catch (e) {
      setErr(e instanceof ApiError && e.issues ? e.issues.map(formatIssue).join('\n') : errorText(e));
    }
  };

  const s = l.status;
  const body = (() => {
    switch (step) {
      case 0:
        return (
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              if (pw !== pw2) return setErr('the two passwords differ');
              try {
                const r = await api<{ csrf: string }>('POST', '/api/v1/auth/setup', { password: pw });
                setCsrf(r.csrf);
                next();
              } catch (x) {
                setErr(errorText(x));
              }
            }}
          >
            <p>This password protects every change to the miner (web and serial console). It is stored as a salted hash on the miner.</p>
            <Field id="wz-pw" label="Admin password (8 characters or more)">
              <input id="wz-pw" type="password" autoComplete="new-password" value={pw} onInput={(e) => setPw((e.target as HTMLInputElement).value)} required minLength={8} />
            </Field>
            <Field id="wz-pw2" label="Repeat the password">
              <input id="wz-pw2" type="password" autoComplete="new-password" value={pw2} onInput={(e) => setPw2((e.target as HTMLInputElement).value)} required />
            </Field>
            <button type="submit" class="primary">
              Set password
            </button>
          </form>
        );
      case 1:
        return (
          <form onSubmit={(e) => (e.preventDefault(), next())}>
            <Field id="wz-url" label="Pool URL" help="stratum+tcp://host:port">
              <input id="wz-url" value={pool.url} onInput={(e) => setPool({ ...pool, url: (e.target as HTMLInputElement).value })} required inputMode="url" />
            </Field>
            <Field id="wz-user" label="Worker (user)">
              <input id="wz-user" value={pool.user} onInput={(e) => setPool({ ...pool, user: (e.target as HTMLInputElement).value })} required autoComplete="off" />
            </Field>
            <Field id="wz-pass" label="Pool password (often x)">
              <input id="wz-pass" type="password" value={pool.password} onInput={(e) => setPool({ ...pool, password: (e.target as HTMLInputElement).value })} autoComplete="off" />
            </Field>
            <div class="buttons">
              <PoolTest pool={pool} />
              <button type="submit" class="primary">
                Next
              </button>
            </div>
          </form>
        );
      case 2:
        return (
          <form onSubmit={(e) => (e.preventDefault(), next())}>
            <Field id="wz-target" label="Tune for">
              <select id="wz-target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
                <option value="stock">stock (the board's own frequency)</option>
                <option value="efficiency">efficiency (fewest joules per hash)</option>
                <option value="hashrate">hashrate (most hashes within the thermal limits)</option>
                <option value="power">power (hold a wattage; set it later on the Tuning page)</option>
              </select>
            </Field>
            <button type="submit" class="primary">
              Next
            </button>
          </form>
        );
      case 3:
        return (
          <form onSubmit={(e) => (e.preventDefault(), next())}>
            <Field id="wz-tz" label="Time zone the dashboard shows">
              <select id="wz-tz" value={tz} onChange={(e) => setTz((e.target as HTMLSelectElement).value)}>
                {zones().map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" class="primary">
              Next
            </button>
          </form>
        );
      case 4:
        return (
          <form onSubmit={(e) => (e.preventDefault(), next())}>
            <Field id="wz-mqtt" label="MQTT broker URL (empty: no telemetry)" help="e.g. mqtt://192.168.1.10:1883 for Home Assistant">
              <input id="wz-mqtt" value={mqtt} onInput={(e) => setMqtt((e.target as HTMLInputElement).value)} inputMode="url" />
            </Field>
            <button type="submit" class="primary">
              Next
            </button>
          </form>
        );
      default:
        return started ? (
          <div aria-live="polite">
            {s && s.shares.accepted > 0 ? (
              <div data-testid="first-share">
                <p class="ok big">
                  Mining: first share accepted by {s.pools.find((x) => x.active)?.name ?? 'the pool'}
                  {firstAt ? ` at ${time(firstAt)}` : ''}.
                </p>
                <p>
                  {s.shares.accepted} accepted so far, chips at {rate(s.hashrate.chips['1m'].hps)}.
                </p>
                <button type="button" class="primary" onClick={p.onDone}>
                  Open the dashboard
                </button>
              </div>
            ) : (
              <p>
                Mining started ({s?.state ?? 'starting'}, pool {s?.pools[0]?.state ?? 'connecting'}); waiting for the first accepted share…
              </p>
            )}
          </div>
        ) : (
          <div>
            <ul class="plain">
              <li>pool {pool.name}: {pool.url} as {pool.user}</li>
              <li>tuning target: {target}</li>
              <li>time zone: {tz}</li>
              <li>telemetry: {mqtt || 'none'}</li>
            </ul>
            <button type="button" class="primary" onClick={finish}>
              Save and start mining
            </button>
          </div>
        );
    }
  })();
  return (
    <main class="narrow">
      <h1>Set up your kabosu miner</h1>
      <ol class="steps" aria-label="setup steps">
        {STEPS.map((t, i) => (
          <li key={t} aria-current={i === step ? 'step' : undefined} class={i < step ? 'done' : ''}>
            {i + 1}. {t}
          </li>
        ))}
      </ol>
      <section aria-label={STEPS[step]}>
        <h2>
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
        {body}
        {err ? (
          <pre role="alert" class="issue">
            {err}
          </pre>
        ) : null}
        {step > 1 && !started ? (
          <button type="button" onClick={() => setStep(step - 1)}>
            Back
          </button>
        ) : null}
      </section>
    </main>
  );
}
