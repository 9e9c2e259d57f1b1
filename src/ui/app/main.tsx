import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf, startLive, stopLive, type SessionInfo } from './api';
import { alertsOf } from './alerts';
import { setTimeZone } from './format';
import { useLive } from './hooks';
import { Overview } from './pages/overview';
import { Boards } from './pages/boards';
import { Pools } from './pages/pools';
import { Tuning } from './pages/tuning';
import { Thermal } from './pages/thermal';
import { Events } from './pages/events';
import { Config } from './pages/config';
import { System } from './pages/system';
import { History } from './pages/history';
import { Login } from './pages/login';
import { Wizard } from './pages/wizard';
import './style.css';

const PAGES = [
  ['overview', 'Overview'],
  ['boards', 'Hash boards'],
  ['pools', 'Pools'],
  ['tuning', 'Tuning'],
  ['thermal', 'Thermal'],
  ['history', 'History'],
  ['events', 'Events'],
  ['config', 'Configuration'],
  ['system', 'System'],
] as const;
type Page = (typeof PAGES)[number][0];

function route(): Page {
  const h = location.hash.replace(/^#\/?/, '');
  return (PAGES.find(([k]) => k === h)?.[0] ?? 'overview') as Page;
}

/** The header's live badges: the only part of the frame that re-renders on every status tick. */
function Header(p: { readOnly: boolean }) {
  const l = useLive();
  const alerts = l.status ? alertsOf(l.status, l.events, Date.now()).length : 0;
  return (
    <header>
      <span class="brand">kabosu</span>
      <span class={`badge ${l.status?.state ?? 'unknown'}`} data-testid="state">
        {l.status?.state ?? '…'}
      </span>
      {alerts ? <a class="badge critical" href="#/overview">{alerts} alert{alerts > 1 ? 's' : ''}</a> : null}
      <span class={l.connected ? 'live on' : 'live'} role="status" aria-label={l.connected ? 'live updates connected' : 'live updates disconnected'}>
        {l.connected ? '● live' : '○ offline'}
      </span>
      {p.readOnly ? <span class="badge">read-only</span> : null}
    </header>
  );
}

function Shell(p: { session: SessionInfo; onLoggedOut: () => void }) {
  const [page, setPage] = useState<Page>(route());
  useEffect(() => {
    const on = () => setPage(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    document.title = `${PAGES.find(([k]) => k === page)![1]} · kabosu`;
  }, [page]);
  const body = {
    overview: <Overview />,
    boards: <Boards />,
    pools: <Pools />,
    tuning: <Tuning />,
    thermal: <Thermal />,
    history: <History />,
    events: <Events />,
    config: <Config />,
    system: <System onLoggedOut={p.onLoggedOut} />,
  }[page];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header readOnly={!p.session.logged_in} />
      <nav aria-label="pages">
        <ul>
          {PAGES.map(([k, label]) => (
            <li key={k}>
              <a href={`#/${k}`} aria-current={k === page ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{PAGES.find(([k]) => k === page)![1]}</h1>
        {body}
      </main>
    </>
  );
}

function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const load = () =>
    api<SessionInfo>('GET', '/api/v1/auth/session').then(
      (s) => {
        setCsrf(s.csrf);
        setSession(s);
        if (!s.setup_needed && (s.logged_in || s.read_without_login)) {
          startLive();
          api<{ api?: { http?: { ui?: { timeZone?: string } } } }>('GET', '/api/v1/config').then((c) => setTimeZone(c.api?.http?.ui?.timeZone ?? 'UTC'), () => undefined);
        }
      },
      (e: Error) => setErr(e.message),
    );
  useEffect(() => void load(), []);
  if (err) return <p role="alert">The miner does not answer: {err}</p>;
  if (!session) return <p>Loading…</p>;
  if (session.setup_needed) return <Wizard onDone={() => (location.hash = '#/overview', void load())} />;
  if (!session.logged_in && !session.read_without_login) return <Login onDone={() => void load()} />;
  return (
    <Shell
      session={session}
      onLoggedOut={() => {
        stopLive();
        setCsrf(null);
        void load();
      }}
    />
  );
}

// The stream is opened at once, in parallel with the session check (the first figures paint
// sooner); refused without a login, it is opened again after one.
startLive();
render(<App />, document.getElementById('app')!);
if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
  navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}
