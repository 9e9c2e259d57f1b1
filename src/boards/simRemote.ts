/**
 * Backend 'sim-remote': hash boards served by a `kabosu sim run --pty --hal ADDR` process. The
 * firmware opens the chain PTYs with LinuxUart (hal/linux/uart.ts) exactly as it opens
 * /dev/ttyS* on a controller, and reaches the PIC regulators, reset lines, sensors and fans
 * through the remote hal (hal/remote). Nothing of the simulator runs in this process.
 */
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import { loadBoard } from '../config/boardLoader';
import type { BoardDefinition } from '../config/boardSchema';
import { KabosuError } from '../core/errors';
import { LinuxUart } from '../hal/linux/uart';
import { RemoteHalClient } from '../hal/remote';
import type { MinerHal } from '../hal/types';
import type { InterlockWorkerTarget, OpenBoards } from './types';

/** The chain UARTs start at the chips' power-on rate (chips.md: 115200 8N1). */
const INITIAL_BAUD = 115200;

export async function openSimRemoteBoards(cfg: KabosuConfig, log: Logger): Promise<OpenBoards> {
  const hb = cfg.hashboards;
  const r = hb.simRemote;
  const board = loadBoard(hb.model);
  const chains = board.hashBoard.chains;
  if (r.ptys.length < chains) {
    throw new KabosuError('KBS_E_CONFIG_SIM_REMOTE', `hashboards.simRemote.ptys lists ${r.ptys.length} PTYs; board ${board.id} has ${chains} chains`, { hint: 'copy the ptys array that kabosu sim run --pty --json prints' });
  }
  const client = await connectRemoteHal(r.hal, r.timeoutMs, log);
  const uarts: LinuxUart[] = [];
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    for (const u of uarts.splice(0)) await u.close().catch(() => undefined);
    await client.close();
  })());
  try {
    for (const p of r.ptys.slice(0, chains)) uarts.push(await LinuxUart.open(p, INITIAL_BAUD));
  } catch (err) {
    await close();
    throw err;
  }
  const hal: MinerHal = { ...remoteHalDevices(client, board), uarts };
  log.info({ hal: r.hal, ptys: r.ptys.slice(0, chains) }, 'remote simulator boards connected');
  return {
    available: true, backend: 'sim-remote', model: hb.model, pow: r.pow, simulated: true, hostPacedScrypt: r.pow === 'scrypt',
    interlockWorker: remoteInterlockTarget(r), board, hal, close,
  };
}

/** The worker thread opens its own link to the same simulator (off by default: its RSS). */
function remoteInterlockTarget(r: { hal: string; interlockWorker: boolean }): InterlockWorkerTarget {
  if (!r.interlockWorker) return { unavailable: 'off (hashboards.simRemote.interlockWorker: false; it costs ~13.5 MB of RSS)' };
  return { hal: r.hal };
}

/** Connects a remote hal and logs its link events. */
export async function connectRemoteHal(address: string, timeoutMs: number, log: Logger): Promise<RemoteHalClient> {
  const client = await RemoteHalClient.connect(address, { timeoutMs });
  const ev = client.events;
  ev.on('disconnected', (e) => log.error({ hal: e.address, code: e.code, reason: e.reason }, 'remote simulator hal disconnected; calls fail until it is back'));
  ev.on('reconnecting', (e) => log.debug({ hal: e.address, attempt: e.attempt, delayMs: e.delayMs, lastError: e.lastError }, 'remote simulator hal: reconnect scheduled'));
  ev.on('reconnected', (e) => log[e.topologyChanged ? 'warn' : 'info']({ hal: e.address, attempts: e.attempts, downMs: e.downMs, topologyChanged: e.topologyChanged }, 'remote simulator hal reconnected'));
  ev.on('gaveUp', (e) => log.error({ hal: e.address, attempts: e.attempts }, 'remote simulator hal: gave up reconnecting'));
  return client;
}

/** Everything but the UARTs, reached through a remote hal. */
export function remoteHalDevices(client: RemoteHalClient, board: BoardDefinition): Omit<MinerHal, 'uarts'> {
  const topo = client.topology;
  const chains = board.hashBoard.chains;
  return {
    i2c: Array.from({ length: topo.i2cBuses }, (_, i) => client.i2c(i)),
    sensorBuses: topo.sensorBuses.map((n, c) => Array.from({ length: n }, (_, k) => client.sensorBus(c, k))),
    gpio: {
      reset: Array.from({ length: chains }, (_, c) => client.gpio(`reset.${c}`)),
      present: topo.gpio.filter((g) => g.startsWith('present.')).map((g) => client.gpio(g)),
      led: { red: client.gpio('led.red'), green: client.gpio('led.green') },
      beeper: topo.gpio.includes('beeper') ? client.gpio('beeper') : null,
    },
    // One PWM per distinct PWM path (the L3+ drives both fans from one), one tach per fan.
    fans: { pwm: Array.from({ length: topo.fans }, (_, i) => client.pwm(i)), tach: board.controller.fans.map((_f, i) => client.tach(i)) },
  };
}
