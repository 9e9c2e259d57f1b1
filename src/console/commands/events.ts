import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { DaemonEvent } from '../../core/minerApi';
import { formatLogLine, parseLogLine, tailLines, underSystemd } from '../rescue';
import { ConsoleUsageError, type CommandContext, type ConsoleCommand } from './context';

/** `events` (the daemon's event log) and `logs` (its log lines), tail and follow, filtered. */
interface Filter {
  count: number;
  follow: boolean;
  level?: string;
  source?: string;
}

const EVENT_LEVELS = ['info', 'warning', 'critical'];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const LOG_NUM: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

function parseFilter(args: string[], usage: string, levels: string[]): Filter {
  const f: Filter = { count: 20, follow: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-f' || a === 'follow') f.follow = true;
    else if (a === '-n' && /^\d{1,3}$/.test(args[i + 1] ?? '')) f.count = Number(args[++i]);
    else if (a.startsWith('level=') && levels.includes(a.slice(6))) f.level = a.slice(6);
    else if (/^(source|component)=[\w.-]{1,40}$/.test(a)) f.source = a.split('=')[1];
    else throw new ConsoleUsageError(usage, `${a}: not understood (${usage})`);
  }
  return f;
}

function eventLine(e: DaemonEvent, ctx: CommandContext): string {
  const sev = e.severity === 'critical' ? ctx.style.bad(e.severity) : e.severity === 'warning' ? ctx.style.warn(e.severity) : e.severity;
  return `${new Date(e.at_ms).toISOString().slice(0, 19).replace('T', ' ')} ${sev} [${e.source}] ${e.kind}: ${e.message}\n`;
}

const FILTER_WORDS = (levels: string[], sources: string[]) => ['-f', '-n', ...levels.map((l) => `level=${l}`), ...sources];

export const EVENTS: ConsoleCommand = {
  name: 'events',
  usage: 'events [-n N] [-f] [level=info|warning|critical] [source=NAME]',
  summary: 'the event log (logins, trips, failovers, ...); -f follows until Ctrl-C',
  daemon: true,
  complete: () => FILTER_WORDS(EVENT_LEVELS, ['source=console', 'source=thermal', 'source=health', 'source=pools', 'source=mining']),
  async run(ctx) {
    const f = parseFilter(ctx.args, this.usage, EVENT_LEVELS);
    const min = f.level ? EVENT_LEVELS.indexOf(f.level) : 0;
    const keep = (e: DaemonEvent) => EVENT_LEVELS.indexOf(e.severity) >= min && (!f.source || e.source === f.source);
    const first = (await ctx.link.events(0, 500)).filter(keep);
    for (const e of first.slice(-f.count)) ctx.out(eventLine(e, ctx));
    if (!f.follow) return;
    ctx.out(ctx.style.dim('-- following; Ctrl-C ends --') + '\n');
    let since = (await ctx.link.events(0, 1))[0]?.at_ms ?? 0;
    while (await ctx.sleep(500)) {
      const next = await ctx.link.events(since, 500);
      if (next.length) since = next[next.length - 1].at_ms;
      for (const e of next.filter(keep)) ctx.out(eventLine(e, ctx));
    }
  },
};

export const LOGS: ConsoleCommand = {
  name: 'logs',
  usage: 'logs [-n N] [-f] [level=debug|info|warn|error] [component=NAME]',
  summary: "the daemon's log lines (journal or --log-file); -f follows until Ctrl-C",
  daemon: false,
  complete: () => FILTER_WORDS(LOG_LEVELS, ['component=daemon', 'component=thermal', 'component=mining', 'component=stratum', 'component=health']),
  async run(ctx) {
    const f = parseFilter(ctx.args, this.usage, LOG_LEVELS);
    const min = f.level ? LOG_NUM[f.level] : 0;
    const show = (raw: string) => {
      const l = parseLogLine(raw);
      if (l.levelNum < min || (f.source && !(l.component === f.source || l.component.startsWith(f.source + '.')))) return;
      ctx.out(formatLogLine(l) + '\n');
    };
    const file = ctx.rescue.logFile;
    if (file) {
      if (!existsSync(file)) return ctx.out(`no log file at ${file}\n`);
      const lines = tailLines(file, 512 * 1024);
      const shown = lines.filter((raw) => {
        const l = parseLogLine(raw);
        return l.levelNum >= min && (!f.source || l.component === f.source || l.component.startsWith(f.source + '.'));
      });
      for (const raw of shown.slice(-f.count)) show(raw);
      if (!f.follow) return;
      ctx.out(ctx.style.dim('-- following; Ctrl-C ends --') + '\n');
      let pos = statSync(file).size;
      let partial = '';
      while (await ctx.sleep(300)) {
        const size = existsSync(file) ? statSync(file).size : 0;
        if (size < pos) pos = 0; // rotated or truncated
        if (size === pos) continue;
        const fd = require('node:fs').openSync(file, 'r');
        const buf = Buffer.alloc(Math.min(size - pos, 1 << 20));
        require('node:fs').readSync(fd, buf, 0, buf.length, pos);
        require('node:fs').closeSync(fd);
        pos += buf.length;
        const parts = (partial + buf.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const raw of parts) if (raw) show(raw);
      }
      return;
    }
    if (!underSystemd(ctx.rescue)) return ctx.out('no log source: not under systemd and no --log-file given\n');
    const args = ['-u', ctx.rescue.unit, '-o', 'cat', '--no-pager', '-n', String(f.follow ? 0 : 2000)];
    if (f.follow) args.push('-f');
    const j = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let partial = '';
    const lines: string[] = [];
    j.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      if (f.follow) parts.forEach((p) => p && show(p));
      else lines.push(...parts);
    });
    const ended = new Promise<void>((r) => j.once('close', () => r()));
    if (f.follow) {
      const stop = () => j.kill();
      ctx.signal.addEventListener('abort', stop, { once: true });
      await ended;
      return;
    }
    await ended;
    const keep = lines.filter((raw) => {
      const l = parseLogLine(raw);
      return l.levelNum >= min && (!f.source || l.component === f.source || l.component.startsWith(f.source + '.'));
    });
    for (const raw of keep.slice(-f.count)) show(raw);
  },
};
