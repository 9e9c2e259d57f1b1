import type { DaemonEvent, DaemonStatus } from './api';

/** Something the owner should act on, and what to do (a page to open or a command to send). */
export interface Alert {
  id: string;
  severity: 'warning' | 'critical';
  text: string;
  action: { label: string; href?: string; command?: string };
}

/** Alerts derived from one status snapshot and recent events (pure). */
export function alertsOf(s: DaemonStatus, events: DaemonEvent[], nowMs: number): Alert[] {
  const out: Alert[] = [];
  if (s.state === 'paused') out.push({ id: 'paused', severity: 'warning', text: 'Mining is paused.', action: { label: 'Resume mining', command: 'resume' } });
  if (s.state === 'no-hashboards') out.push({ id: 'noboards', severity: 'critical', text: 'No hash boards were found.', action: { label: 'See hash boards', href: '#/boards' } });
  if (s.state === 'mining' || s.state === 'waiting-for-work') {
    if (!s.pools.some((p) => p.active && p.state === 'ready')) out.push({ id: 'nopool', severity: 'critical', text: 'No pool is connected: the miner earns nothing.', action: { label: 'Check pools', href: '#/pools' } });
  }
  for (const b of s.thermal?.boards ?? []) {
    if (b.state === 'tripped') out.push({ id: `trip${b.index}`, severity: 'critical', text: `Board ${b.index} was powered off by the safety interlock.`, action: { label: 'See thermal', href: '#/thermal' } });
    else if (b.state === 'hot') out.push({ id: `hot${b.index}`, severity: 'warning', text: `Board ${b.index} is hot and throttled ${b.throttle_pct}%.`, action: { label: 'See thermal', href: '#/thermal' } });
  }
  for (const f of s.thermal?.fans ?? []) if (!f.ok) out.push({ id: `fan${f.index}`, severity: 'critical', text: `Fan ${f.index} does not turn as commanded.`, action: { label: 'See thermal', href: '#/thermal' } });
  for (const c of s.chains) if (c.silent_chips.length) out.push({ id: `silent${c.index}`, severity: 'warning', text: `Chain ${c.index}: ${c.silent_chips.length} chip(s) return no nonces.`, action: { label: 'See hash boards', href: '#/boards' } });
  for (const c of s.components) {
    if (c.state === 'failed') out.push({ id: `comp-${c.name}`, severity: c.critical ? 'critical' : 'warning', text: `${c.name} failed${c.error ? `: ${c.error}` : ''}.`, action: { label: 'See events', href: '#/events' } });
  }
  const recent = events.filter((e) => e.severity === 'critical' && nowMs - e.at_ms < 15 * 60_000).slice(-3);
  for (const e of recent) out.push({ id: `ev${e.at_ms}${e.kind}`, severity: 'critical', text: e.message, action: { label: 'See events', href: '#/events' } });
  return out;
}
