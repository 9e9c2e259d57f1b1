import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from './api';

export function Card(p: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={p.wide ? 'card wide' : 'card'} aria-label={p.title}>
      <h2>{p.title}</h2>
      {p.children}
    </section>
  );
}

export function Stat(p: { label: string; value: string; sub?: string; id?: string }) {
  return (
    <div class="stat">
      <span class="label">{p.label}</span>
      <span class="value" data-stat={p.id}>
        {p.value}
      </span>
      {p.sub ? <span class="sub">{p.sub}</span> : null}
    </div>
  );
}

/** A button that runs an async action and shows its result or error next to it. */
export function ActionButton(p: { label: string; run: () => Promise<unknown>; confirm?: string; kind?: string }) {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span class="action">
      <button
        type="button"
        class={p.kind}
        disabled={busy}
        onClick={async () => {
          if (p.confirm && !window.confirm(p.confirm)) return;
          setBusy(true);
          try {
            const r = (await p.run()) as { result?: unknown } | undefined;
            setMsg({ ok: true, text: typeof r?.result === 'string' ? r.result : 'done' });
          } catch (e) {
            setMsg({ ok: false, text: errorText(e) });
          } finally {
            setBusy(false);
          }
        }}
      >
        {p.label}
      </button>
      {msg ? (
        <span role="status" class={msg.ok ? 'ok' : 'err'}>
          {msg.text}
        </span>
      ) : null}
    </span>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

export function Field(p: { id: string; label: string; children: ComponentChildren; help?: string; error?: string }) {
  return (
    <div class={p.error ? 'field invalid' : 'field'}>
      <label for={p.id}>{p.label}</label>
      {p.children}
      {p.help ? (
        <small id={`${p.id}-help`} class="help">
          {p.help}
        </small>
      ) : null}
      {p.error ? (
        <pre class="issue" role="alert" id={`${p.id}-err`}>
          {p.error}
        </pre>
      ) : null}
    </div>
  );
}
