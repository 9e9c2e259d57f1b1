import { KabosuError } from '../../core/errors';
import type { DaemonStatus, MinerControl } from '../../core/minerApi';
import type { ApiRequest, ParseResult } from './request';
import * as R from './render';

/**
 * Command dispatch and the reply envelope (cgminer API-README): one STATUS record plus a section,
 * multi-command `a+b` as per-command arrays, `quit`/`restart` as bare status strings. Privileged
 * commands go through MinerControl; the caller says whether this client may run them.
 */
export interface Caller {
  /** Client passed the allow-list for privileged commands. */
  mayWrite: boolean;
  /** Token check passed (or no token configured). */
  tokenOk: boolean;
}

export interface CommandContext {
  control: MinerControl;
  personality: R.Personality;
  nowS: number;
}

type Reply = Record<string, unknown>;
type Report = (s: DaemonStatus, c: CommandContext) => { section: string; code: number; msg: string; records: R.Rec[] } | Reply;

const REPORTS: Record<string, Report> = {
  version: (s, c) => ({ section: 'VERSION', code: 22, msg: 'CGMiner versions', records: R.version(s, c.personality) }),
  config: (s) => ({ section: 'CONFIG', code: 33, msg: 'CGMiner config', records: R.config(s) }),
  summary: (s, c) => ({ section: 'SUMMARY', code: 11, msg: 'Summary', records: R.summary(s, c.personality, c.nowS) }),
  pools: (s, c) => (s.pools.length
    ? { section: 'POOLS', code: 7, msg: `${s.pools.length} Pool(s)`, records: R.pools(s, c.personality, poolUsers(c.control)) }
    : { section: 'POOLS', code: 8, msg: 'No pools', records: [] }),
  devs: (s, c) => ({ section: 'DEVS', code: 9, msg: `${s.chains.length} ASC(s)`, records: R.devs(s, c.personality) }),
  edevs: (s, c) => ({ section: 'DEVS', code: 9, msg: `${s.chains.length} ASC(s)`, records: R.devs(s, c.personality).filter((d) => d.Status === 'Alive') }),
  devdetails: (s) => ({ section: 'DEVDETAILS', code: 69, msg: 'Device Details', records: R.devdetails(s) }),
  stats: (s, c) => ({ section: 'STATS', code: 70, msg: 'CGMiner stats', records: R.stats(s, c.personality) }),
  estats: (s, c) => ({ section: 'STATS', code: 70, msg: 'CGMiner stats', records: R.stats(s, c.personality) }),
  coin: () => ({ section: 'COIN', code: 78, msg: 'CGMiner coin', records: R.coin() }),
  lcd: (s, c) => ({ section: 'LCD', code: 125, msg: 'LCD', records: R.lcd(s, c.personality, c.nowS) }),
  asccount: (s) => ({ section: 'ASCS', code: 104, msg: 'ASC count', records: [{ Count: s.chains.length }] }),
  pgacount: () => ({ section: 'PGAS', code: 59, msg: 'PGA count', records: [{ Count: 0 }] }),
};

const PRIVILEGED = new Set(['switchpool', 'enablepool', 'disablepool', 'addpool', 'removepool', 'poolpriority', 'restart', 'quit', 'privileged', 'pause', 'resume']);
const OTHER = new Set(['check']);

/** Read-only report commands (joinable; their reply depends only on the status and the second). */
export function isReport(cmd: string): boolean {
  // Own keys only: `constructor` and friends are on every object's prototype, not commands.
  return Object.hasOwn(REPORTS, cmd);
}

export function isKnown(cmd: string): boolean {
  return isReport(cmd) || PRIVILEGED.has(cmd) || OTHER.has(cmd);
}

export function status(letter: 'S' | 'I' | 'W' | 'E' | 'F', code: number, msg: string, s: DaemonStatus, nowS: number): Reply {
  return { STATUS: [{ STATUS: letter, When: nowS, Code: code, Msg: msg, Description: R.description(s) }] };
}

function report(cmd: string, s: DaemonStatus, c: CommandContext): Reply {
  const r = REPORTS[cmd](s, c) as { section: string; code: number; msg: string; records: R.Rec[] };
  const out: Reply = { ...status('S', r.code, r.msg, s, c.nowS), [r.section]: r.records };
  if (c.personality === 'kabosu' && cmd === 'stats') Object.assign(out, R.kabosuExtras(s, safeChips(c.control)));
  return { ...out, id: 1 };
}

/** Worker names by pool name from the redacted config (user names are not secrets). */
function poolUsers(control: MinerControl): Map<string, string> {
  try {
    const cfg = control.redactedConfig() as { pools?: { name?: unknown; user?: unknown }[] };
    return new Map((cfg.pools ?? []).filter((p) => typeof p.name === 'string' && typeof p.user === 'string').map((p) => [p.name as string, p.user as string]));
  } catch {
    return new Map();
  }
}

function safeChips(control: MinerControl) {
  try {
    return control.chips();
  } catch {
    return [];
  }
}

/** Answer one parsed request; a JSON object (JSON form) or the text form string. */
export async function answer(parsed: ParseResult, caller: Caller, c: CommandContext): Promise<Reply> {
  const s = c.control.status();
  if (!parsed.ok) return { ...status('E', parsed.code, parsed.msg, s, c.nowS), id: 1 };
  const req = parsed.request;
  if (req.commands.length === 1) return single(req.commands[0], req, caller, s, c);
  // Multi-command: joinable reports only; each gets its own complete reply in an array.
  const out: Reply = {};
  for (const cmd of req.commands) {
    out[cmd] = [isReport(cmd) ? report(cmd, s, c) : { ...status('E', 14, `Invalid command '${cmd}' in join`, s, c.nowS), id: 1 }];
  }
  return { ...out, id: 1 };
}

async function single(cmd: string, req: ApiRequest, caller: Caller, s: DaemonStatus, c: CommandContext): Promise<Reply> {
  if (isReport(cmd)) return report(cmd, s, c);
  if (cmd === 'check') {
    const target = (req.parameter ?? '').trim().toLowerCase();
    if (!target) return { ...status('E', 71, 'Missing check cmd', s, c.nowS), id: 1 };
    const exists = isKnown(target);
    const access = exists && (!PRIVILEGED.has(target) || (caller.mayWrite && caller.tokenOk));
    return { ...status('S', 72, 'Check command', s, c.nowS), CHECK: [{ Exists: exists ? 'Y' : 'N', Access: access ? 'Y' : 'N' }], id: 1 };
  }
  if (!PRIVILEGED.has(cmd)) return { ...status('E', 14, 'Invalid command', s, c.nowS), id: 1 };
  if (!caller.mayWrite || !caller.tokenOk) return { ...status('E', 45, `Access denied to '${cmd}' command`, s, c.nowS), id: 1 };
  try {
    return await privileged(cmd, req.parameter, s, c);
  } catch (err) {
    const msg = err instanceof KabosuError ? err.message : 'command failed';
    return { ...status('E', errorCode(cmd, err), msg, s, c.nowS), id: 1 };
  }
}

/** cgminer's codes for the refusals it has: 51 last active pool, 67 active pool removal. */
function errorCode(cmd: string, err: unknown): number {
  const code = err instanceof KabosuError ? err.code : '';
  if (code === 'KBS_E_NOT_AVAILABLE') return 14;
  if (code === 'KBS_E_POOLS_LAST_ENABLED') return cmd === 'removepool' ? 67 : 51;
  if (code === 'KBS_E_POOLS_ACTIVE') return 67;
  if (code === 'KBS_E_POOLS_BAD_URL' || code === 'KBS_E_POOLS_DUPLICATE') return 52;
  return 45;
}

function poolName(param: string | null, s: DaemonStatus): string | { code: number; msg: string } {
  if (param === null || param.trim() === '') return { code: 25, msg: 'Missing pool id parameter' };
  const n = Number(param.trim());
  if (!Number.isInteger(n) || n < 0 || n >= s.pools.length) return { code: 26, msg: `Invalid pool id ${Number.isInteger(n) ? n : -1} - range is 0 - ${s.pools.length - 1}` };
  return s.pools[n].name;
}

/** Split cgminer's comma list, honouring `\,` escapes. */
export function splitEscaped(param: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < param.length; i++) {
    const ch = param[i];
    if (ch === '\\' && i + 1 < param.length) cur += param[++i];
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function privileged(cmd: string, param: string | null, s: DaemonStatus, c: CommandContext): Promise<Reply> {
  const ok = (code: number, msg: string) => ({ ...status('S', code, msg, s, c.nowS), id: 1 });
  const err = (code: number, msg: string) => ({ ...status('E', code, msg, s, c.nowS), id: 1 });
  const ctl = c.control;
  switch (cmd) {
    case 'privileged': return ok(46, 'Privileged access OK');
    case 'quit': return { STATUS: 'BYE', id: 1 };
    case 'restart': await ctl.restart(); return { STATUS: 'RESTART', id: 1 };
    case 'pause': return ok(0, await ctl.pause('cgminer API'));
    case 'resume': return ok(0, await ctl.resume());
    case 'switchpool': case 'enablepool': case 'disablepool': case 'removepool': {
      const name = poolName(param, s);
      if (typeof name !== 'string') return err(name.code, name.msg);
      const idx = Number(param!.trim());
      if (cmd === 'switchpool') { await ctl.switchPool(name); return ok(27, `Switching to pool ${idx}:'${s.pools[idx].url}'`); }
      if (cmd === 'enablepool') { await ctl.enablePool(name); return ok(47, `Enabling pool ${idx}:'${s.pools[idx].url}'`); }
      if (cmd === 'disablepool') { await ctl.disablePool(name); return ok(48, `Disabling pool ${idx}:'${s.pools[idx].url}'`); }
      await ctl.removePool(name);
      return ok(68, `Removed pool ${idx}:'${s.pools[idx].url}'`);
    }
    case 'addpool': {
      const parts = splitEscaped(param ?? '');
      if (parts.length < 2 || !parts[0] || !parts[1]) return err(52, 'Invalid addpool details');
      await ctl.addPool({ url: parts[0], user: parts[1], ...(parts[2] ? { password: parts[2] } : {}) });
      return ok(55, `Added pool ${s.pools.length}: '${parts[0]}'`);
    }
    case 'poolpriority': {
      const ids = (param ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (!ids.length) return err(25, 'Missing pool id parameter');
      const names: string[] = [];
      for (const id of ids) {
        const n = poolName(id, s);
        if (typeof n !== 'string') return err(n.code, n.msg);
        names.push(n);
      }
      await ctl.poolPriority(names);
      return ok(73, 'Changed priorities');
    }
  }
  return err(14, 'Invalid command');
}

/** The text form: `STATUS=S,When=…|SECTION,k=v,…|`, multi-command prefixed by `CMD=x|`. */
export function toText(reply: Reply): string {
  if (typeof reply.STATUS === 'string') return `STATUS=${reply.STATUS}|`;
  const keys = Object.keys(reply).filter((k) => k !== 'id');
  if (!('STATUS' in reply)) return keys.map((k) => `CMD=${k}|${toText((reply[k] as Reply[])[0])}`).join('');
  let out = '';
  for (const k of keys) {
    const recs = reply[k] as R.Rec[];
    recs.forEach((r) => {
      const kv = Object.entries(r).map(([a, b]) => `${esc(a)}=${esc(b === null ? '' : String(b))}`).join(',');
      out += k === 'STATUS' ? `${kv}|` : `${k},${kv}|`;
    });
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[\\|,=]/g, (m) => `\\${m}`);
}
