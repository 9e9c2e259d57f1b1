import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, formatIssue } from '../api';
import { num } from '../format';
import { useLive, usePoll } from '../hooks';
import { ActionButton, Field, errorText } from '../widgets';

interface PoolCfg {
  name: string;
  url: string;
  user: string;
  password?: string;
  [k: string]: unknown;
}
type Config = Record<string, unknown> & { pools: PoolCfg[] };

interface Probe {
  ok: boolean;
  stage: string;
  latency_ms: number | null;
  message: string;
}

/** Connection test of a pool the owner typed in (POST /api/v1/pools/test). */
export function PoolTest(p: { pool: { url: string; user: string; password?: string } }) {
  const [r, setR] = useState<Probe | { error: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span class="action">
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setR(null);
          try {
            const pw = p.pool.password && p.pool.password !== '***' ? p.pool.password : undefined;
            setR(await api<Probe>('POST', '/api/v1/pools/test', { url: p.pool.url, user: p.pool.user, password: pw }));
          } catch (e) {
            setR({ error: errorText(e) });
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      {r ? (
        <span role="status" class={'ok' in r && r.ok ? 'ok' : 'err'} data-testid="pool-test-result">
          {'error' in r ? r.error : `${r.ok ? '✓' : '✗'} ${r.message}${r.latency_ms !== null ? ` (${r.latency_ms} ms)` : ''}`}
        </span>
      ) : null}
    </span>
  );
}

export function PoolForm(p: { value: PoolCfg; onSave: (v: PoolCfg) => void; onCancel?: () => void; idPrefix: string }) {
  const [v, setV] = useState<PoolCfg>(p.value);
  useEffect(() => setV(p.value), [p.value]);
  const set = (k: keyof PoolCfg) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  const id = (k: string) => `${p.idPrefix}-${k}`;
  return (
    <form
      class="poolform"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSave(v);
      }}
    >
      <Field id={id('name')} label="Name">
        <input id={id('name')} value={v.name} onInput={set('name')} required />
      </Field>
      <Field id={id('url')} label="URL" help="stratum+tcp://host:port or stratum+ssl://host:port">
        <input id={id('url')} value={v.url} onInput={set('url')} required inputMode="url" />
      </Field>
      <Field id={id('user')} label="Worker (user)">
        <input id={id('user')} value={v.user} onInput={set('user')} required autoComplete="off" />
      </Field>
      <Field id={id('password')} label="Password" help="*** keeps the stored one">
        <input id={id('password')} type="password" value={v.password ?? ''} onInput={set('password')} autoComplete="off" />
      </Field>
      <div class="buttons">
        <button type="submit">Keep</button>
        {p.onCancel ? (
          <button type="button" onClick={p.onCancel}>
            Cancel
          </button>
        ) : null}
        <PoolTest pool={v} />
      </div>
    </form>
  );
}

export function Pools() {
  const l = useLive();
  const cfg = usePoll<Config>('/api/v1/config');
  const [pools, setPools] = useState<PoolCfg[] | null>(null);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (cfg.data) setPools(cfg.data.pools.map((x) => ({ ...x })));
  }, [cfg.data]);
  if (!cfg.data || !pools) return <p>{cfg.error ?? 'Loading the pools…'}</p>;
  const status = l.status?.pools ?? [];
  const move = (i: number, d: number) => {
    const next = [...pools];
    const [x] = next.splice(i, 1);
    next.splice(i + d, 0, x);
    setPools(next);
  };
  const save = async () => {
    try {
      const r = await api<{ result: { sections: string[] } }>('PUT', '/api/v1/config', { ...cfg.data, pools });
      setMsg({ ok: true, text: `saved (${r.result.sections.join(', ') || 'no change'})` });
      cfg.reload();
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError && e.issues ? e.issues.map(formatIssue).join('\n') : errorText(e) });
    }
  };
  return (
    <div>
      <table class="table" tabIndex={0}>
        <caption>Pools, tried in this order (the first that works mines; the next takes over when it fails)</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">name</th>
            <th scope="col">URL</th>
            <th scope="col">worker</th>
            <th scope="col">state</th>
            <th scope="col">accepted / rejected</th>
            <th scope="col">latency</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {pools.map((p, i) => {
            const st = status.find((x) => x.name === p.name);
            return (
              <tr key={p.name + i}>
                <td>{i + 1}</td>
                <td>{p.name}</td>
                <td class="mono">{p.url}</td>
                <td>{p.user}</td>
                <td>{st ? `${st.state}${st.active ? ' (active)' : ''}` : 'not saved yet'}</td>
                <td>{st ? `${st.accepted} / ${st.rejected}` : '–'}</td>
                <td>{num(st?.latency_ms, 1, ' ms')}</td>
                <td class="buttons">
                  <button type="button" aria-label={`move ${p.name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" aria-label={`move ${p.name} down`} disabled={i === pools.length - 1} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" onClick={() => setEditing(i)}>
                    Edit
                  </button>
                  <button type="button" onClick={() => setPools(pools.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                  {st && !st.active ? <ActionButton label="Switch to" run={() => api('POST', '/api/v1/commands/switch-pool', { pool: p.name })} /> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {editing !== null ? (
        <section class="card" aria-label={editing === 'new' ? 'Add a pool' : 'Edit pool'}>
          <h2>{editing === 'new' ? 'Add a pool' : `Edit ${pools[editing].name}`}</h2>
          <PoolForm
            idPrefix="pool"
            value={editing === 'new' ? { name: `pool${pools.length + 1}`, url: 'stratum+tcp://', user: '' } : pools[editing]}
            onCancel={() => setEditing(null)}
            onSave={(v) => {
              setPools(editing === 'new' ? [...pools, v] : pools.map((x, j) => (j === editing ? v : x)));
              setEditing(null);
            }}
          />
        </section>
      ) : null}
      <div class="buttons">
        <button type="button" onClick={() => setEditing('new')}>
          Add a pool
        </button>
        <button type="button" class="primary" onClick={save}>
          Save pools
        </button>
      </div>
      {msg ? (
        <pre role="status" class={msg.ok ? 'ok' : 'issue'}>
          {msg.text}
        </pre>
      ) : null}
      <p class="help">Selection strategy: failover by priority (the order above); kabosu has no load-balancing strategy yet.</p>
    </div>
  );
}
