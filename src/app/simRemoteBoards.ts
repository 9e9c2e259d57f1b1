/**
 * Hash boards served by a `kabosu sim run --pty --hal ADDR` process (backend 'sim-remote'): the
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
import type { Component } from './component';
import type { MinerHal } from '../hal/types';

/** The chain UARTs start at the chips' power-on rate (chips.md: 115200 8N1). */
const INITIAL_BAUD = 115200;

export class SimRemoteBoardsComponent implements Component<KabosuConfig> {
  readonly name = 'sim-remote-boards';
  readonly critical = false;
  hal?: MinerHal;
  board?: BoardDefinition;
  private client?: RemoteHalClient;
  private uarts: LinuxUart[] = [];

  constructor(
    private readonly config: KabosuConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const hb = this.config.hashboards;
    const r = hb.simRemote;
    const board = loadBoard(hb.model);
    const chains = board.hashBoard.chains;
    if (r.ptys.length < chains) {
      throw new KabosuError('KBS_E_CONFIG_SIM_REMOTE', `hashboards.simRemote.ptys lists ${r.ptys.length} PTYs; board ${board.id} has ${chains} chains`, { hint: 'copy the ptys array that kabosu sim run --pty --json prints' });
    }
    this.client = await RemoteHalClient.connect(r.hal, { timeoutMs: r.timeoutMs });
    const ev = this.client.events;
    ev.on('disconnected', (e) => this.log.error({ hal: e.address, code: e.code, reason: e.reason }, 'remote simulator hal disconnected; calls fail until it is back'), this);
    ev.on('reconnecting', (e) => this.log.debug({ hal: e.address, attempt: e.attempt, delayMs: e.delayMs, lastError: e.lastError }, 'remote simulator hal: reconnect scheduled'), this);
    ev.on('reconnected', (e) => this.log[e.topologyChanged ? 'warn' : 'info']({ hal: e.address, attempts: e.attempts, downMs: e.downMs, topologyChanged: e.topologyChanged }, 'remote simulator hal reconnected'), this);
    ev.on('gaveUp', (e) => this.log.error({ hal: e.address, attempts: e.attempts }, 'remote simulator hal: gave up reconnecting'), this);
    const topo = this.client.topology;
    const client = this.client;
    for (const p of r.ptys.slice(0, chains)) this.uarts.push(await LinuxUart.open(p, INITIAL_BAUD));
    this.hal = {
      uarts: this.uarts,
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
    this.board = board;
    this.log.info({ hal: r.hal, ptys: r.ptys.slice(0, chains) }, 'remote simulator boards connected');
  }

  async stop(): Promise<void> {
    for (const u of this.uarts) await u.close();
    this.uarts = [];
    await this.client?.close();
  }
}
