import { useState } from 'preact/hooks';
import { api, ApiError, formatIssue } from '../api';
import { rate } from '../format';
import { useLive, usePoll } from '../hooks';
import { Card, Field, Stat, errorText } from '../widgets';

const TARGETS = ['stock', 'efficiency', 'power', 'hashrate'];

export function Tuning() {
  const l = useLive();
  const rep = usePoll<{ status: unknown; report: unknown }>('/api/v1/tuning', 10_000);
  const cfg = usePoll<Record<string, unknown> & { tuning?: Record<string, unknown> }>('/api/v1/config');
  const [target, setTarget] = useState<string | null>(null);
  const [powerW, setPowerW] = useState<string>('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const t = l.status?.tuning;
  const current = (cfg.data?.tuning?.target as string | undefined) ?? 'stock';
  const chosen = target ?? current;
  return (
    <div class="grid">
      <Card title="Tuner">
        <Stat id="tuning-state" label="state" value={t?.state ?? 'off'} sub={`target ${t?.target ?? current}`} />
        {t?.expected ? <Stat label="expected" value={rate(t.expected.hashrate_hps)} sub={`${t.expected.power_w.toFixed(0)} W · ${t.expected.efficiency_j_per_th.toFixed(0)} J/TH`} /> : null}
      </Card>
      <Card title="Target">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (!cfg.data) return;
            const tuning = { ...(cfg.data.tuning ?? {}), target: chosen, ...(powerW ? { powerW: Number(powerW) } : {}) };
            try {
              await api('PUT', '/api/v1/config', { ...cfg.data, tuning });
              setMsg({ ok: true, text: `target ${chosen} saved` });
              cfg.reload();
            } catch (err) {
              setMsg({ ok: false, text: err instanceof ApiError && err.issues ? err.issues.map(formatIssue).join('\n') : errorText(err) });
            }
          }}
        >
          <Field id="tune-target" label="Optimise for">
            <select id="tune-target" value={chosen} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
              {TARGETS.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </Field>
          {chosen === 'power' ? (
            <Field id="tune-power" label="Power to hold (W)">
              <input id="tune-power" type="number" min={100} max={10000} value={powerW || String(cfg.data?.tuning?.powerW ?? '')} onInput={(e) => setPowerW((e.target as HTMLInputElement).value)} />
            </Field>
          ) : null}
          <button type="submit">Apply target</button>
        </form>
        {msg ? <pre role="status" class={msg.ok ? 'ok' : 'issue'}>{msg.text}</pre> : null}
      </Card>
      <section class="card wide" aria-label="Tuning report">
        <h2>Tuner's report</h2>
        {rep.data?.report ? <pre class="json">{JSON.stringify(rep.data.report, null, 2)}</pre> : <p>No report: the tuner has not run (tuning off or still measuring).</p>}
      </section>
    </div>
  );
}
