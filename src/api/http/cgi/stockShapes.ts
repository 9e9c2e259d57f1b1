import type { DaemonStatus } from '../../../core/minerApi';
import type { HostFacts } from './hostNetwork';

/**
 * The JSON bodies of the stock Antminer web CGIs, pure (status, redacted config, host facts in).
 * Field names and the keys pyasic reads come from UpstreamData/pyasic:
 * - pyasic/miners/antminer/bmminer/X3/L3.py: the L3+ is `AntminerOld` (old web interface);
 * - pyasic/miners/backends/antminer.py (`AntminerOld`): `get_system_info` -> `macaddr`,
 *   `hostname`; `get_miner_conf` -> `int(conf["bitmain-work-mode"]) == 1` means not mining;
 *   blink through `blink.cgi` with `action=startBlink|stopBlink|onPageLoaded` -> `isBlinking`;
 *   (`AntminerModern`: `get_blink_status.cgi` -> `blink`, `blink.cgi` `{"blink":"true"}` ->
 *   `code` "B000"/"B100");
 * - pyasic/web/antminer.py: the CGI names, digest auth as root;
 * - pyasic/config/pools.py (`PoolConfig.from_am_modern`, used by `from_am_old`): `conf["pools"]`
 *   entries `{url, user, pass}`; pyasic/config/fans.py: `bitmain-fan-ctrl`, `bitmain-fan-pwm`;
 *   pyasic/config/mining (`MiningModeConfig.from_am_modern`): `bitmain-work-mode` 0/1/3.
 * The rest of the system-info keys (nettype, netdevice, netmask, gateway, dnsservers, system_mode,
 * system_kernel_version, system_filesystem_version, firmware_type, curtime, uptime, loadaverage,
 * mem_*) follow the stock replies as fleet clients decode them. Pool passwords are never sent:
 * `pass` is always "".
 */
export type Json = Record<string, unknown>;

const MODEL_TYPE: Record<string, string> = { l3plus: 'Antminer L3+', l7: 'Antminer L7' };

export function minerType(model: string | null): string {
  return MODEL_TYPE[model ?? ''] ?? `Antminer ${model ?? 'unknown'}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Stock prints local time as `YYYY-MM-DD HH:MM:SS`. */
export function stockTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function systemInfo(s: DaemonStatus, h: HostFacts, nowMs: number): Json {
  return {
    minertype: minerType(s.hashboards.model),
    nettype: h.nettype,
    netdevice: h.netdevice,
    macaddr: h.macaddr,
    hostname: h.hostname,
    ipaddress: h.ipaddress,
    netmask: h.netmask,
    gateway: h.gateway,
    dnsservers: h.dnsservers,
    curtime: stockTime(nowMs),
    uptime: String(h.uptimeS),
    loadaverage: h.loadavg.map((x) => x.toFixed(2)).join(', '),
    mem_total: h.memTotalKb,
    mem_used: h.memTotalKb - h.memFreeKb,
    mem_free: h.memFreeKb,
    mem_buffers: 0,
    mem_cached: 0,
    system_mode: 'GNU/Linux',
    system_kernel_version: h.kernel,
    system_filesystem_version: `kabosu ${s.version}`,
    cgminer_version: `kabosu ${s.version}`,
    firmware_type: 'Release',
  };
}

interface ConfView {
  pools?: { url?: unknown; user?: unknown }[];
  thermal?: { mode?: unknown; manualDuty?: unknown };
  api?: { cgminer?: { allow?: unknown } };
}

/** Stock always lists three pool slots; empty ones are `{url:"",user:"",pass:""}`. */
export function minerConf(s: DaemonStatus, redactedConfig: unknown): Json {
  const c = (typeof redactedConfig === 'object' && redactedConfig !== null ? redactedConfig : {}) as ConfView;
  const pools = (Array.isArray(c.pools) ? c.pools : []).slice(0, 3).map((p) => ({ url: typeof p.url === 'string' ? p.url : '', user: typeof p.user === 'string' ? p.user : '', pass: '' }));
  while (pools.length < 3) pools.push({ url: '', user: '', pass: '' });
  const mode = s.thermal?.mode ?? (typeof c.thermal?.mode === 'string' ? c.thermal.mode : 'auto');
  const duty = typeof c.thermal?.manualDuty === 'number' ? c.thermal.manualDuty : 100;
  const freqs = s.chains.map((ch) => ch.freq_mhz).filter((f): f is number => f !== null);
  const volts = (s.power?.boards ?? []).map((b) => b.voltage_v).filter((v): v is number => v !== null);
  const allow = Array.isArray(c.api?.cgminer?.allow) ? (c.api!.cgminer!.allow as unknown[]).filter((x) => typeof x === 'string').join(',') : '';
  const mining = s.state === 'mining' || s.state === 'waiting-for-work' || s.state === 'starting';
  return {
    pools,
    'api-listen': true,
    'api-network': true,
    'api-groups': 'A:stats:pools:devs:summary:version',
    'api-allow': allow,
    'bitmain-fan-ctrl': mode !== 'auto',
    'bitmain-fan-pwm': mode === 'immersion' ? '0' : String(duty),
    'bitmain-use-vil': true,
    'bitmain-freq': freqs.length ? String(Math.round(freqs.reduce((a, b) => a + b, 0) / freqs.length)) : '',
    ...(volts.length ? { 'bitmain-voltage': String(Math.round((volts.reduce((a, b) => a + b, 0) / volts.length) * 1000)).padStart(4, '0') } : {}),
    // 0 normal, 1 sleep (pyasic: not mining), as MiningModeConfig.from_am_modern reads it.
    'bitmain-work-mode': mining ? '0' : '1',
    'bitmain-freq-level': '100',
  };
}

/** `get_miner_status.cgi` of the old web interface: summary, pools, devs (rates in MH/s as :4028's L3+ personality). */
export function minerStatus(s: DaemonStatus, redactedConfig: unknown): Json {
  const mhs = (hps: number) => Math.round((hps / 1e6) * 100) / 100;
  const rejected = Object.values(s.shares.rejected).reduce((a, b) => a + b, 0);
  const c = (typeof redactedConfig === 'object' && redactedConfig !== null ? redactedConfig : {}) as ConfView;
  const users = new Map((Array.isArray(c.pools) ? c.pools : []).map((p) => [String(p.url ?? ''), typeof p.user === 'string' ? p.user : '']));
  return {
    summary: {
      elapsed: Math.floor(s.uptime_s),
      ghs5s: mhs(s.hashrate.chips['5s'].hps),
      ghsav: mhs(s.hashrate.chips.total.hps),
      foundblocks: 0,
      getworks: 0,
      accepted: s.shares.accepted,
      rejected,
      hw: s.chains.reduce((a, ch) => a + ch.hw_errors, 0),
      utility: s.uptime_s > 0 ? Math.round(((s.shares.accepted * 60) / s.uptime_s) * 100) / 100 : 0,
      discarded: 0,
      stale: s.shares.rejected.stale ?? 0,
    },
    pools: s.pools.map((p, i) => ({
      index: i,
      url: p.url.replace(/\/\/[^/@]*@/, '//'),
      user: users.get(p.url) ?? '',
      status: p.state === 'ready' ? 'Alive' : 'Dead',
      priority: i,
      accepted: p.accepted,
      rejected: p.rejected,
      diff: p.difficulty === null ? '' : String(p.difficulty),
    })),
    devs: s.chains.map((ch) => {
      const t = s.thermal?.boards.find((b) => b.index === ch.index);
      return {
        index: ch.index + 1,
        chain_acn: ch.chips_found,
        freq: ch.freq_mhz ?? 0,
        temp: t?.board_temp_c ?? 0,
        temp2: t?.chip_temp_c ?? 0,
        chain_hw: ch.hw_errors,
        chain_rate: mhs(ch.hashrate['5s'].hps),
      };
    }),
  };
}
