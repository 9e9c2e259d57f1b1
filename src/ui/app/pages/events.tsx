import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { time } from '../format';
import { useLive } from '../hooks';

/** Rows rendered at most (the newest); the filter searches them all. */
const SHOWN = 300;

export function Events() {
  const l = useLive();
  const [severity, setSeverity] = useState('all');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const list = useRef<HTMLOListElement>(null);
  const q = text.toLowerCase();
  // the list is rebuilt only when events arrive or the filter changes, not on every status tick
  const shown = useMemo(() => l.events.filter((e) => (severity === 'all' || e.severity === severity) && (!q || `${e.source} ${e.kind} ${e.message}`.toLowerCase().includes(q))), [l.events, severity, q]);
  const items = useMemo(
    () =>
      shown.slice(-SHOWN).map((e, i) => (
        <li key={`${e.at_ms}-${i}`} class={e.severity}>
          <time>{time(e.at_ms)}</time> <b>{e.severity}</b> <span class="mono">{e.source}/{e.kind}</span> {e.message}
        </li>
      )),
    [shown],
  );
  useEffect(() => {
    if (follow && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [shown.length, follow]);
  return (
    <div>
      <form class="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="ev-sev">Severity</label>
        <select id="ev-sev" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)}>
          <option value="all">all</option>
          <option value="info">info</option>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
        <label for="ev-text">Filter</label>
        <input id="ev-text" type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} placeholder="source, kind or text" />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> follow
        </label>
      </form>
      <p class="help">
        {Math.min(shown.length, SHOWN)} of {l.events.length} events shown (the daemon keeps the last 500; the full log is in the journal: <code>journalctl -u kabosu</code>).
      </p>
      <ol class="events" ref={list} aria-live={follow ? 'polite' : 'off'} tabIndex={0} aria-label="events">
        {items}
      </ol>
    </div>
  );
}
