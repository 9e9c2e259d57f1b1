/**
 * Backend 'linux': a controller's hash-board hardware through the kernel, as the board
 * definition (board/<model>.json) names it: chain UARTs (LinuxUart on the tty paths, or
 * hashboards.linux.uarts), I2C buses (/dev/i2c-N through i2c-bus), GPIO lines and fan PWM
 * through sysfs, fan tachs from /proc/interrupts or GPIO edges. sysfsRoot/procRoot may point at
 * a tree a test or a guest drives.
 *
 * Sensors the board reaches through its chips' I2C master (L3+ TMP451 behind chips 0x0C/0xC9,
 * chips.md §10.3) need the chain-UART passthrough, which is not built yet: those sensor buses
 * fail every read with KBS_E_SENSOR_PASSTHROUGH, so the interlock sees no trustworthy
 * temperature and keeps the boards off. `i2cBridge` (development only) reaches a simulator's
 * I2C buses and chip-behind sensors instead of the kernel's.
 */
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import { loadBoard } from '../config/boardLoader';
import type { BoardDefinition } from '../config/boardSchema';
import { KabosuError } from '../core/errors';
import { SysfsGpioLine } from '../hal/linux/gpio';
import { LinuxI2cBus } from '../hal/linux/i2c';
import { SysfsPwm } from '../hal/linux/pwm';
import type { KernelRoots } from '../hal/linux/sysfsPaths';
import { GpioEdgeTach, InterruptsTach } from '../hal/linux/tach';
import { LinuxUart } from '../hal/linux/uart';
import type { GpioLine, I2cBus, MinerHal, Pwm, Tach } from '../hal/types';
import { connectRemoteHal, remoteHalDevices } from './simRemote';
import type { OpenBoards } from './types';

type Closable = { close(): Promise<void> };

export async function openLinuxBoards(cfg: KabosuConfig, log: Logger): Promise<OpenBoards> {
  const hb = cfg.hashboards;
  const lx = hb.linux;
  const board = loadBoard(hb.model);
  const roots: KernelRoots = { sysfs: lx.sysfsRoot, proc: lx.procRoot };
  const opened: Closable[] = [];
  const resets: GpioLine[] = [];
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    // Chains held in reset on the way out (the boards' power is mining's, already off).
    for (const r of resets) await r.write(0).catch(() => undefined);
    for (const c of opened.splice(0).reverse()) await c.close().catch(() => undefined);
  })());
  const keep = <T extends Closable>(c: T): T => (opened.push(c), c);
  try {
    const hal = await openHal(board, lx, roots, log, keep, resets);
    log.info({ model: board.id, uarts: hal.uarts.length, i2c: lx.i2cBridge ? `bridge ${lx.i2cBridge}` : board.controller.i2cBuses, sysfs: roots.sysfs, proc: roots.proc }, 'Linux hash-board hardware opened');
    return {
      // Chips behind the UARTs that are a simulator's (pow scrypt-sim) or an I2C bridged to one are
      // reported as simulated: the miner's figures are not a real board's.
      available: true, backend: 'linux', model: hb.model, pow: lx.pow, simulated: lx.pow === 'scrypt-sim' || lx.i2cBridge !== '', hostPacedScrypt: false,
      interlockWorker: { unavailable: 'the Linux backend has no second hardware link for a worker thread yet (the main-thread interlock and the PIC heartbeat watchdog cover a blocked loop)' },
      board, hal, close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function openHal(board: BoardDefinition, lx: KabosuConfig['hashboards']['linux'], roots: KernelRoots, log: Logger, keep: <T extends Closable>(c: T) => T, resets: GpioLine[]): Promise<MinerHal> {
  const hb = board.hashBoard;
  const ctl = board.controller;
  const uartPaths = lx.uarts.length > 0 ? lx.uarts : ctl.uarts;
  if (uartPaths.length < hb.chains) {
    throw new KabosuError('KBS_E_CONFIG_LINUX_UARTS', `hashboards.linux.uarts lists ${uartPaths.length} UARTs; board ${board.id} has ${hb.chains} chains`, { hint: 'one tty per chain, in chain order (or leave it empty for the board definition\'s)' });
  }
  // Device nodes first: they fail fast and change nothing.
  // I2C: the kernel's buses, or (development) a simulator's.
  let i2c: I2cBus[];
  let sensorBuses: I2cBus[][];
  if (lx.i2cBridge) {
    const client = keep(await connectRemoteHal(lx.i2cBridge, lx.i2cTimeoutMs, log.child({ part: 'i2c-bridge' })));
    const remote = remoteHalDevices(client, board);
    i2c = remote.i2c;
    sensorBuses = remote.sensorBuses;
    log.warn({ bridge: lx.i2cBridge }, 'I2C buses and sensors bridged to a simulator process (hashboards.linux.i2cBridge): development only');
  } else {
    i2c = [];
    for (const dev of ctl.i2cBuses) i2c.push(keep(await LinuxI2cBus.open(dev, { timeoutMs: lx.i2cTimeoutMs, retries: lx.i2cRetries })));
    sensorBuses = Array.from({ length: hb.chains }, (_, c) => hb.sensors.flatMap((s) => s.chipAddresses.map((chip) => s.access === 'bus' ? i2c[0] : passthroughMissing(c, chip))));
  }
  const uarts = [];
  for (const p of uartPaths.slice(0, hb.chains)) uarts.push(keep(await LinuxUart.open(p, hb.baud)));
  // GPIO, PWM, tach after the device nodes opened (nothing exported on a host that has no such
  // controller); chains held in reset (active low) until the chain driver brings them up.
  const gpioLog = log.child({ part: 'gpio' });
  const line = async (n: number, direction: 'in' | 'out', label: string) =>
    keep(await SysfsGpioLine.open(n, { roots, direction, initial: 0, label, onTakeover: (g) => gpioLog.warn({ gpio: g, label }, 'GPIO was already exported (a previous run or another program): taking it over') }));
  for (let c = 0; c < hb.chains; c++) resets.push(await line(ctl.gpio.chainReset[c], 'out', `chain ${c} reset`));
  const present: GpioLine[] = [];
  for (let c = 0; c < ctl.gpio.chainPresent.length; c++) present.push(await line(ctl.gpio.chainPresent[c], 'in', `chain ${c} present`));
  const red = await line(ctl.gpio.ledRed, 'out', 'red LED');
  const green = await line(ctl.gpio.ledGreen, 'out', 'green LED');
  const beeper = ctl.gpio.beeper === null ? null : await line(ctl.gpio.beeper, 'out', 'beeper');
  // Fans: one PWM per distinct path (the L3+ drives both fans from pwm1), one tach per fan.
  const pwmPaths = [...new Set(ctl.fans.map((f) => f.pwm))];
  const pwm: Pwm[] = [];
  for (const p of pwmPaths) pwm.push(keep(await SysfsPwm.open(p, ctl.fans.find((f) => f.pwm === p)!.pwmPeriodNs, { roots, label: `fans ${ctl.fans.flatMap((f, i) => (f.pwm === p ? [i] : [])).join(',')}` })));
  const tach: Tach[] = [];
  for (const [i, f] of ctl.fans.entries()) {
    const o = { roots, pulsesPerRev: f.pulsesPerRev, windowMs: lx.tachWindowMs, maxPlausibleRpm: f.maxRpm * 2, label: `fan ${i}` };
    tach.push(keep(f.tachIrq !== undefined && f.tachIrq !== null ? await InterruptsTach.open(f.tachIrq, o) : GpioEdgeTach.open(f.tachGpio, o)));
  }
  return { uarts, i2c, sensorBuses, gpio: { reset: resets, present, led: { red, green }, beeper }, fans: { pwm, tach } };
}

/** A chip-behind sensor bus the Linux backend cannot reach yet: every call fails, clearly. */
function passthroughMissing(chain: number, chip: number): I2cBus {
  const fail = async (): Promise<never> => {
    throw new KabosuError('KBS_E_SENSOR_PASSTHROUGH', `chain ${chain}: the temperature sensor behind chip 0x${chip.toString(16)} needs the chain-UART I2C passthrough, which this build lacks`, { hint: 'the boards stay off (no trustworthy temperature); use a build with the TMP451 passthrough', context: { chain, chip } });
  };
  return { sendByte: fail, receiveByte: fail, readByte: fail, writeByte: fail, readWord: fail, writeWord: fail, readBlock: fail, writeBlock: fail, close: async () => undefined };
}
