/**
 * `kabosu sim`: run a simulated miner alone, or talk to a running one.
 *   kabosu sim run --board l3plus --seed N [--pty] [--control PORT|HOST:PORT|unix:/path]
 *                  [--ambient C] [--time-scale X] [--pow scrypt|scrypt-sim] [--scenario FILE] [--json]
 *                  [--hal unix:/path|HOST:PORT]   (serve I2C/GPIO/fans to a firmware in another process)
 *   kabosu sim state   [--control ADDR] [--json] [--chips]
 *   kabosu sim fault   KIND [--chain N] [--chip N] [--sensor N] [--fan N] [--param key=value]... [--control ADDR]
 *   kabosu sim clear   ID | --all [--control ADDR]
 *   kabosu sim scenario FILE [--control ADDR]
 *   kabosu sim oracle  --target hashrate|power|efficiency [--max-power W] [--min-hashrate H[k|M|G]]
 *                      [--fan-duty X] [--ambient C] [--json] [--control ADDR]
 * The control address defaults to $KABOSU_SIM_CONTROL.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliCommand, CliContext } from '../command';
import { KabosuError, UsageError } from '../../core/errors';

const SUBCOMMANDS = 'run, state, fault, clear, scenario, oracle';

export const command: CliCommand = {
  summary: 'hash-board simulator: run one, inspect its true state, inject faults, ask the oracle',
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    switch (sub) {
      case 'run':
        return runSim(ctx, rest);
      case 'state':
        return state(ctx, rest);
      case 'fault':
        return fault(ctx, rest);
      case 'clear':
        return clear(ctx, rest);
      case 'scenario':
        return scenario(ctx, rest);
      case 'oracle':
        return oracle(ctx, rest);
      default:
        throw new UsageError(sub ? `unknown sim subcommand '${sub}'` : 'kabosu sim needs a subcommand', `subcommands: ${SUBCOMMANDS}`);
    }
  },
};

function parse<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(argv: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message, "see 'kabosu sim' usage in kabosu help");
  }
}

function num(name: string, v: string | undefined, dflt?: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw new UsageError(`--${name} is required`);
    return dflt;
  }
  const m = /^(-?\d+(?:\.\d+)?)([kMGT]?)$/.exec(v.trim());
  if (!m) throw new UsageError(`--${name} must be a number, got '${v}'`);
  const scale = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as '' | 'k' | 'M' | 'G' | 'T'];
  return Number(m[1]) * scale;
}

function controlAddr(ctx: CliContext, v: string | undefined): string {
  const a = v ?? ctx.env.KABOSU_SIM_CONTROL;
  if (!a) throw new UsageError('no simulator control address', 'pass --control ADDR (printed by kabosu sim run) or set KABOSU_SIM_CONTROL');
  return a;
}

async function call(ctx: CliContext, addr: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const { callControl } = require('../../sim/control/client') as typeof import('../../sim/control/client');
  const r = await callControl(addr, method, path, body);
  if (r.status >= 400) {
    const b = r.body as { code?: string; error?: string; hint?: string };
    throw new KabosuError(b.code ?? 'KBS_E_SIM_REQUEST', b.error ?? `simulator answered ${r.status}`, { hint: b.hint });
  }
  return r.body;
}

async function runSim(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    board: { type: 'string' },
    seed: { type: 'string' },
    pty: { type: 'boolean' },
    control: { type: 'string' },
    ambient: { type: 'string' },
    'time-scale': { type: 'string' },
    pow: { type: 'string' },
    scenario: { type: 'string' },
    hal: { type: 'string' },
    json: { type: 'boolean' },
  });
  const seed = num('seed', values.seed, 1);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
  const pow = values.pow ?? 'scrypt-sim';
  if (pow !== 'scrypt' && pow !== 'scrypt-sim') throw new UsageError(`--pow must be scrypt or scrypt-sim, got '${pow}'`);
  const listen = listenOn(values.control);
  const { startStandalone } = require('../../sim/standalone') as typeof import('../../sim/standalone');
  const sim = await startStandalone({
    boardId: values.board ?? 'l3plus',
    seed,
    pty: values.pty ?? false,
    listen,
    ambientC: num('ambient', values.ambient, 25),
    timeScale: num('time-scale', values['time-scale'], 1),
    pow,
    scenarioPath: values.scenario,
    hal: values.hal,
    // Logs go to stderr as JSON so stdout stays the machine-readable address report.
    logger: (require('pino') as typeof import('pino')).default({ level: ctx.env.KABOSU_LOG_LEVEL ?? 'info', base: { component: 'sim' } }, ctx.stderr),
  });
  const i = sim.info;
  if (values.json) ctx.stdout.write(JSON.stringify(i) + '\n');
  else {
    ctx.stdout.write(`sim ${i.board} seed ${i.seed} running (${i.transport})\ncontrol ${i.control}\n`);
    if (i.hal) ctx.stdout.write(`hal ${i.hal}\n`);
    i.ptys.forEach((p, n) => ctx.stdout.write(`chain ${n} ${p}\n`));
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}

function listenOn(v: string | undefined): { port: number; host?: string } | { socketPath: string } {
  if (v === undefined) return { port: 0 };
  if (v.startsWith('unix:')) return { socketPath: v.slice(5) };
  const m = /^(?:([^:]+):)?(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--control must be PORT, HOST:PORT or unix:/path, got '${v}'`);
  return { port: Number(m[2]), host: m[1] };
}

async function state(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parse(argv, { control: { type: 'string' }, json: { type: 'boolean' }, chips: { type: 'boolean' } });
  const s = (await call(ctx, controlAddr(ctx, values.control), 'GET', `/v1/state${values.chips ? '' : '?chips=false'}`)) as WireState;
  if (values.json) {
    ctx.stdout.write(JSON.stringify(s) + '\n');
    return 0;
  }
  ctx.stdout.write(`${s.board} seed ${s.seed}  ${(s.hashrate_hps / 1e6).toFixed(1)} MH/s  ${s.wall_power_w.toFixed(0)} W  ambient ${s.ambient_c} °C\n`);
  for (const c of s.chains) {
    ctx.stdout.write(
      `chain ${c.chain}: ${c.powered ? 'on ' : 'off'} ${(c.hashrate_hps / 1e6).toFixed(1).padStart(7)} MH/s ${c.power_w.toFixed(0).padStart(5)} W  board ${c.board_c.toFixed(1)} °C  die max ${c.max_die_c.toFixed(1)} °C  ${c.board_v.toFixed(3)} V\n`,
    );
  }
  for (const f of s.fans) ctx.stdout.write(`fan ${f.fan}: duty ${(f.duty * 100).toFixed(0)}%  ${f.rpm.toFixed(0)} rpm (tach ${f.tach_rpm})\n`);
  for (const f of s.faults) ctx.stdout.write(`fault ${f.id}: ${f.fault} ${JSON.stringify(f.target)}\n`);
  return 0;
}

interface WireState {
  board: string;
  seed: number;
  hashrate_hps: number;
  wall_power_w: number;
  ambient_c: number;
  chains: Array<{ chain: number; powered: boolean; hashrate_hps: number; power_w: number; board_c: number; max_die_c: number; board_v: number }>;
  fans: Array<{ fan: number; duty: number; rpm: number; tach_rpm: number }>;
  faults: Array<{ id: number; fault: string; target: unknown }>;
}

async function fault(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { control: { type: 'string' }, chain: { type: 'string' }, chip: { type: 'string' }, sensor: { type: 'string' }, fan: { type: 'string' }, param: { type: 'string', multiple: true } },
    true,
  );
  const kind = positionals[0];
  if (!kind || positionals.length > 1) throw new UsageError('kabosu sim fault needs one fault kind', 'e.g. kabosu sim fault fan-seized --fan 0');
  const target: Record<string, number> = {};
  for (const k of ['chain', 'chip', 'sensor', 'fan'] as const) if (values[k] !== undefined) target[k] = num(k, values[k]);
  const params: Record<string, number | string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must be key=value, got '${p}'`);
    const v = p.slice(eq + 1);
    params[p.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  const r = (await call(ctx, controlAddr(ctx, values.control), 'POST', '/v1/faults', { fault: kind, target, params })) as { id: number };
  ctx.stdout.write(`fault ${r.id} injected\n`);
  return 0;
}

async function clear(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { control: { type: 'string' }, all: { type: 'boolean' } }, true);
  const addr = controlAddr(ctx, values.control);
  if (values.all) {
    const r = (await call(ctx, addr, 'DELETE', '/v1/faults')) as { cleared: number };
    ctx.stdout.write(`${r.cleared} faults cleared\n`);
    return 0;
  }
  const id = positionals[0];
  if (!id || !/^\d+$/.test(id)) throw new UsageError('kabosu sim clear needs a fault id or --all');
  await call(ctx, addr, 'DELETE', `/v1/faults/${id}`);
  ctx.stdout.write(`fault ${id} cleared\n`);
  return 0;
}

async function scenario(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { control: { type: 'string' } }, true);
  const file = positionals[0];
  if (!file) throw new UsageError('kabosu sim scenario needs a JSON file');
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read scenario ${file}: ${(e as Error).message}`);
  }
  const r = (await call(ctx, controlAddr(ctx, values.control), 'POST', '/v1/scenario', body)) as { scheduled: number };
  ctx.stdout.write(`${r.scheduled} steps scheduled\n`);
  return 0;
}

async function oracle(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    control: { type: 'string' },
    target: { type: 'string' },
    'max-power': { type: 'string' },
    'min-hashrate': { type: 'string' },
    'fan-duty': { type: 'string' },
    ambient: { type: 'string' },
    json: { type: 'boolean' },
  });
  const target = values.target ?? 'hashrate';
  if (!['hashrate', 'power', 'efficiency'].includes(target)) throw new UsageError(`--target must be hashrate, power or efficiency, got '${target}'`);
  const body: Record<string, unknown> = { target };
  if (target === 'power') body.max_power_w = num('max-power', values['max-power']);
  if (target === 'efficiency') body.min_hashrate_hps = num('min-hashrate', values['min-hashrate'], 0);
  if (values['fan-duty'] !== undefined) body.fan_duty = num('fan-duty', values['fan-duty']);
  if (values.ambient !== undefined) body.ambient_c = num('ambient', values.ambient);
  const r = (await call(ctx, controlAddr(ctx, values.control), 'POST', '/v1/oracle', body)) as {
    feasible: boolean;
    hashrate_hps: number;
    wall_power_w: number;
    efficiency_joules_per_mh: number | null;
    boards: Array<{ chain: number; regulator_code: number; voltage_v: number; freqs_mhz: number[] }>;
  };
  if (values.json) {
    ctx.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  }
  ctx.stdout.write(`${r.feasible ? '' : 'NOT FEASIBLE; closest: '}${(r.hashrate_hps / 1e6).toFixed(1)} MH/s at ${r.wall_power_w.toFixed(0)} W (${r.efficiency_joules_per_mh?.toFixed(3) ?? '-'} J/MH)\n`);
  for (const b of r.boards) {
    const f = b.freqs_mhz;
    ctx.stdout.write(`chain ${b.chain}: code ${b.regulator_code} (${b.voltage_v.toFixed(3)} V), ${Math.min(...f)}-${Math.max(...f)} MHz\n`);
  }
  return 0;
}
