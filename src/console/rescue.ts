import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';

/**
 * What the console knows about a daemon that is down, and how it starts it again: under
 * systemd (`/run/systemd/system`) the unit's last result and restart count from `systemctl
 * show` and its last warning/error lines from the journal; otherwise the daemon's log file
 * (`--log-file`, pino JSON lines). Starting: `systemctl restart UNIT`, or (development) a
 * detached `kabosu run` with the same paths, its output appended to the log file.
 */
export interface RescueOptions {
  unit: string;
  logFile?: string;
  configPath: string;
  dataDir: string;
  /** How to run kabosu itself: [node, bin/kabosu.js] or [single executable]. */
  self: string[];
  systemd?: boolean;
}

export interface DaemonPost {
  supervisor: 'systemd' | 'none';
  /** e.g. "exit-code (status 2), restarted 5 times" */
  lastExit: string | null;
  crashLooping: boolean;
  lastErrors: string[];
}

const PINO_LEVEL: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function underSystemd(o: RescueOptions): boolean {
  return o.systemd ?? existsSync('/run/systemd/system');
}

/** The tail of a file, at most `bytes`, as lines (the first, partial one dropped). */
export function tailLines(path: string, bytes = 64 * 1024): string[] {
  const size = statSync(path).size;
  const start = Math.max(0, size - bytes);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    require('node:fs').readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    return lines.filter((l) => l.length > 0);
  } finally {
    closeSync(fd);
  }
}

export interface LogLine {
  level: string;
  levelNum: number;
  component: string;
  time: number | null;
  msg: string;
  raw: string;
}

/** One pino JSON line (or any other text line, as level "?"). Pure. */
export function parseLogLine(raw: string): LogLine {
  try {
    const o = JSON.parse(raw) as { level?: number; component?: string; time?: number; msg?: string; err?: unknown };
    if (typeof o === 'object' && o !== null && typeof o.level === 'number') {
      const err = o.err && typeof o.err === 'object' ? ` (${String((o.err as { message?: string }).message ?? '')})` : typeof o.err === 'string' ? ` (${o.err})` : '';
      return { level: PINO_LEVEL[o.level] ?? String(o.level), levelNum: o.level, component: o.component ?? '', time: o.time ?? null, msg: `${o.msg ?? ''}${err}`, raw };
    }
  } catch {
    /* not JSON */
  }
  return { level: '?', levelNum: 30, component: '', time: null, msg: raw, raw };
}

export function formatLogLine(l: LogLine): string {
  const t = l.time === null ? '' : new Date(l.time).toISOString().slice(11, 23) + ' ';
  return `${t}${l.level.padEnd(5)} ${l.component ? `[${l.component}] ` : ''}${l.msg}`;
}

function systemctlShow(unit: string): Record<string, string> {
  const r = spawnSync('systemctl', ['show', unit, '-p', 'ActiveState,SubState,Result,ExecMainStatus,ExecMainCode,NRestarts'], { encoding: 'utf8', timeout: 3000 });
  const out: Record<string, string> = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function postMortem(o: RescueOptions): DaemonPost {
  if (underSystemd(o)) {
    const s = systemctlShow(o.unit);
    const restarts = Number(s.NRestarts ?? 0);
    const j = spawnSync('journalctl', ['-u', o.unit, '-p', 'warning', '-n', '15', '-o', 'cat', '--no-pager'], { encoding: 'utf8', timeout: 5000 });
    const lines = (j.stdout ?? '').split('\n').filter((l) => l.length > 0).map((l) => formatLogLine(parseLogLine(l)));
    return {
      supervisor: 'systemd',
      lastExit: s.Result ? `${s.ActiveState}/${s.SubState}, result ${s.Result}, main process status ${s.ExecMainStatus ?? '?'}, restarted ${restarts} times` : null,
      crashLooping: restarts >= 3 && s.ActiveState !== 'active',
      lastErrors: lines,
    };
  }
  if (!o.logFile || !existsSync(o.logFile)) return { supervisor: 'none', lastExit: null, crashLooping: false, lastErrors: [] };
  const lines = tailLines(o.logFile).map(parseLogLine);
  const errors = lines.filter((l) => l.levelNum >= 40 || l.level === '?').slice(-15).map(formatLogLine);
  const stops = lines.filter((l) => /^(starting|stopped)$/.test(l.msg)).slice(-1)[0];
  return { supervisor: 'none', lastExit: stops ? `last lifecycle line: "${stops.msg}" at ${stops.time === null ? '?' : new Date(stops.time).toISOString()}` : null, crashLooping: false, lastErrors: errors };
}

/** Starts (or restarts) the daemon; resolves with what was done. */
export function startDaemon(o: RescueOptions): string {
  if (underSystemd(o)) {
    const r = spawnSync('systemctl', ['restart', o.unit], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`systemctl restart ${o.unit} failed: ${(r.stderr ?? '').trim() || `status ${r.status}`}`);
    return `systemctl restart ${o.unit}: done`;
  }
  const out = o.logFile ? openSync(o.logFile, 'a') : 'ignore';
  const [cmd, ...pre] = o.self;
  const child = spawn(cmd, [...pre, 'run', '--config', o.configPath, '--data-dir', o.dataDir], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (typeof out === 'number') closeSync(out);
  return `started kabosu run (pid ${child.pid})${o.logFile ? `, log in ${o.logFile}` : ''}`;
}

/** The config file as text, or why it cannot be read. */
export function configText(path: string): string {
  return readFileSync(path, 'utf8');
}
