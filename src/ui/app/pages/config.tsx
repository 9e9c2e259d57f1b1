import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, formatIssue, type ConfigIssue } from '../api';
import { usePoll } from '../hooks';
import { errorText } from '../widgets';

/** The subset of JSON Schema the config schema uses (src/config/schema.ts). */
interface Node {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  description?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  'x-secret'?: boolean;
}
type Obj = Record<string, unknown>;

const pointerOf = (path: string[]) => '/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const idOf = (path: string[]) => `cfg-${path.join('-')}`;

function getAt(o: unknown, path: string[]): unknown {
  return path.reduce<unknown>((a, k) => (a && typeof a === 'object' ? (a as Obj)[k] : undefined), o);
}
function setAt(o: Obj, path: string[], v: unknown): Obj {
  const copy: Obj = { ...o };
  const [k, ...rest] = path;
  if (rest.length === 0) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  } else copy[k] = setAt((o[k] as Obj) ?? {}, rest, v);
  return copy;
}

function Leaf(p: { node: Node; path: string[]; value: unknown; set: (v: unknown) => void; issues: ConfigIssue[] }) {
  const id = idOf(p.path);
  const n = p.node;
  const help = n.description ? `${id}-help` : undefined;
  const errs = p.issues.filter((i) => i.pointer === pointerOf(p.path));
  const described = [help, errs.length ? `${id}-err` : undefined].filter(Boolean).join(' ') || undefined;
  let input;
  const fallback = p.value === undefined ? n.default : p.value;
  if (n.enum) {
    input = (
      <select id={id} aria-describedby={described} aria-invalid={errs.length > 0} value={JSON.stringify(fallback)} onChange={(e) => p.set(JSON.parse((e.target as HTMLSelectElement).value))}>
        {fallback === undefined ? <option value="undefined">(not set)</option> : null}
        {n.enum.map((x) => (
          <option key={String(x)} value={JSON.stringify(x)}>
            {String(x)}
          </option>
        ))}
      </select>
    );
  } else if (n.type === 'boolean') {
    input = <input id={id} type="checkbox" aria-describedby={described} checked={fallback === true} onChange={(e) => p.set((e.target as HTMLInputElement).checked)} />;
  } else if (n.type === 'number' || n.type === 'integer') {
    input = (
      <input
        id={id}
        type="number"
        step={n.type === 'integer' ? 1 : 'any'}
        aria-describedby={described}
        aria-invalid={errs.length > 0}
        value={p.value === undefined ? '' : String(p.value)}
        placeholder={n.default === undefined ? '' : String(n.default)}
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          p.set(t === '' ? undefined : Number(t));
        }}
      />
    );
  } else if (n.type === 'array' && n.items && n.items.type !== 'object') {
    input = (
      <input
        id={id}
        aria-describedby={described}
        aria-invalid={errs.length > 0}
        value={Array.isArray(p.value) ? p.value.join(', ') : ''}
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          p.set(t.trim() === '' ? [] : t.split(',').map((x) => (n.items!.type === 'number' || n.items!.type === 'integer' ? Number(x.trim()) : x.trim())));
        }}
      />
    );
  } else if (n.type === 'array' || (n.type === 'object' && !n.properties)) {
    input = <textarea id={id} aria-describedby={described} rows={4} value={JSON.stringify(p.value ?? null, null, 1)} onChange={(e) => { try { p.set(JSON.parse((e.target as HTMLTextAreaElement).value)); } catch { /* shown on save */ } }} />;
  } else {
    input = (
      <input
        id={id}
        type={(n['x-secret'] ? 'password' : 'text') as 'text'}
        autoComplete="off"
        aria-describedby={described}
        aria-invalid={errs.length > 0}
        value={p.value === undefined ? '' : String(p.value)}
        placeholder={n.default === undefined ? '' : String(n.default)}
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          p.set(t === '' ? undefined : t);
        }}
      />
    );
  }
  return (
    <div class={errs.length ? 'field invalid' : 'field'}>
      <label for={id}>{p.path[p.path.length - 1]}</label>
      {input}
      {n.description ? (
        <small class="help" id={help}>
          {n.description}
          {n.minimum !== undefined || n.maximum !== undefined ? ` (${n.minimum ?? '…'} to ${n.maximum ?? '…'})` : ''}
        </small>
      ) : null}
      {errs.length ? (
        <pre class="issue" role="alert" id={`${id}-err`}>
          {errs.map(formatIssue).join('\n')}
        </pre>
      ) : null}
    </div>
  );
}

function Section(p: { node: Node; path: string[]; cfg: Obj; set: (path: string[], v: unknown) => void; issues: ConfigIssue[] }) {
  const props = p.node.properties ?? {};
  return (
    <>
      {Object.entries(props).map(([k, n]) => {
        const path = [...p.path, k];
        if (n.type === 'object' && n.properties)
          return (
            <fieldset key={k}>
              <legend>{path.join('.')}</legend>
              <Section node={n} path={path} cfg={p.cfg} set={p.set} issues={p.issues} />
            </fieldset>
          );
        return <Leaf key={k} node={n} path={path} value={getAt(p.cfg, path)} set={(v) => p.set(path, v)} issues={p.issues} />;
      })}
    </>
  );
}

export function Config() {
  const schema = usePoll<Node>('/api/v1/config/schema');
  const remote = usePoll<Obj>('/api/v1/config');
  const [cfg, setCfg] = useState<Obj | null>(null);
  const [issues, setIssues] = useState<ConfigIssue[]>([]);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [json, setJson] = useState('');
  useEffect(() => {
    if (remote.data) {
      setCfg(remote.data);
      setJson(JSON.stringify(remote.data, null, 2));
    }
  }, [remote.data]);
  if (!schema.data || !cfg) return <p>{schema.error ?? remote.error ?? 'Loading the configuration…'}</p>;
  const apply = async (doc: unknown) => {
    setMsg(null);
    try {
      const r = await api<{ result: { sections: string[]; needs_restart: string[] } }>('PUT', '/api/v1/config', doc);
      setIssues([]);
      const restart = r.result.needs_restart.length ? `; restart needed for ${r.result.needs_restart.join(', ')}` : '';
      setMsg({ ok: true, text: r.result.sections.length ? `applied: ${r.result.sections.join(', ')}${restart}` : 'no change' });
      remote.reload();
    } catch (e) {
      if (e instanceof ApiError && e.issues) {
        setIssues(e.issues);
        setMsg({ ok: false, text: `${e.issues.length} problem(s); nothing was changed` });
      } else setMsg({ ok: false, text: errorText(e) });
    }
  };
  const sections = Object.entries(schema.data.properties ?? {}).filter(([k, n]) => n.type === 'object' && n.properties && k !== 'pools');
  return (
    <div>
      <form
        aria-label="configuration"
        onSubmit={(e) => {
          e.preventDefault();
          void apply(cfg);
        }}
      >
        <p class="help">Every field comes from the config schema; the daemon validates the whole document as <code>kabosu config validate</code> does and changes nothing when a value is wrong. Pools are edited on the Pools page.</p>
        {issues.length ? (
          <section class="issues" role="alert" aria-label="validation problems">
            <h2>Problems</h2>
            <pre data-testid="config-issues">{issues.map(formatIssue).join('\n')}</pre>
          </section>
        ) : null}
        {sections.map(([k, n]) => (
          <details key={k} open={issues.some((i) => i.pointer.startsWith(`/${k}/`) || i.pointer === `/${k}`)}>
            <summary>{k}</summary>
            <Section node={n} path={[k]} cfg={cfg} set={(path, v) => setCfg(setAt(cfg, path, v))} issues={issues} />
          </details>
        ))}
        <div class="buttons sticky">
          <button type="submit" class="primary">
            Apply configuration
          </button>
          <button type="button" onClick={() => (setCfg(remote.data), setIssues([]))}>
            Discard changes
          </button>
        </div>
        {msg ? (
          <p role="status" class={msg.ok ? 'ok' : 'err'} data-testid="config-result">
            {msg.text}
          </p>
        ) : null}
      </form>
      <details>
        <summary>Advanced: edit the JSON</summary>
        <label for="cfg-json">The whole configuration (secrets show as ***; sending *** back keeps them)</label>
        <textarea id="cfg-json" class="json" rows={24} value={json} onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)} spellcheck={false} />
        <button
          type="button"
          onClick={() => {
            try {
              void apply(JSON.parse(json));
            } catch (e) {
              setMsg({ ok: false, text: `not valid JSON: ${(e as Error).message}` });
            }
          }}
        >
          Apply JSON
        </button>
      </details>
    </div>
  );
}
