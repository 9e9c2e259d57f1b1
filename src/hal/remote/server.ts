import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import { LineSplitter, parseRequest, RemoteHalError, type Describe, type Reply, type Request } from './protocol';

/** The hal objects a remote-hal server exposes (the simulator's `SimMinerHal` fits). */
export interface ServedHal {
  i2c: I2cBus[];
  sensorBuses: I2cBus[][];
  gpio: { reset: GpioLine[]; present: GpioLine[]; led: { red: GpioLine; green: GpioLine }; beeper: GpioLine | null };
  fans: { pwm: Pwm[]; tach: Tach[] };
  ptyPaths: string[];
}

/**
 * Serves a hal over a socket so a firmware in another process (or a worker thread) reaches the
 * simulator's I2C devices, GPIO lines and fans the way it reaches /dev/i2c-N and gpiochip on a
 * real controller. One request at a time per connection is not required: replies carry ids.
 */
export class RemoteHalServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly hal: ServedHal,
    private readonly board: string,
    private readonly log?: Logger,
  ) {}

  /** `unix:/path` or `host:port` / `port` (loopback). Returns the address to give clients. */
  async listen(address: string): Promise<string> {
    const server = createServer((s) => this.serve(s));
    this.server = server;
    if (address.startsWith('unix:')) {
      const path = address.slice(5);
      if (existsSync(path)) unlinkSync(path);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, () => resolve()));
      chmodSync(path, 0o600);
      return address;
    }
    const m = /^(?:(.+):)?(\d+)$/.exec(address);
    if (!m) throw new RemoteHalError('KBS_E_HAL_REMOTE_ADDRESS', `bad hal address '${address}'`, { hint: 'use unix:/path/to/socket or [host:]port' });
    const host = m[1] ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(Number(m[2]), host, () => resolve()));
    const a = server.address() as { port: number };
    return `${host}:${a.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  describe(): Describe {
    const h = this.hal;
    return {
      board: this.board,
      chains: h.sensorBuses.length,
      i2cBuses: h.i2c.length,
      sensors: h.sensorBuses.map((s) => s.length),
      reset: h.gpio.reset.length,
      present: h.gpio.present.length,
      pwm: h.fans.pwm.length,
      tach: h.fans.tach.length,
      beeper: h.gpio.beeper !== null,
      ptys: h.ptyPaths,
    };
  }

  private serve(s: Socket): void {
    this.sockets.add(s);
    s.setEncoding('utf8');
    const reply = (r: Reply) => {
      if (!s.destroyed) s.write(JSON.stringify(r) + '\n');
    };
    const lines = new LineSplitter(
      (line) => {
        let req: Request;
        try {
          req = parseRequest(line);
        } catch (e) {
          const err = e as RemoteHalError;
          this.log?.warn({ code: err.code }, 'remote hal: malformed request refused');
          reply({ id: -1, ok: false, code: err.code, error: err.message });
          return;
        }
        this.exec(req).then(
          (value) => reply({ id: req.id, ok: true, value: value ?? null }),
          (e: Error & { code?: string }) => reply({ id: req.id, ok: false, code: e.code ?? 'KBS_E_HAL_REMOTE', error: e.message }),
        );
      },
      () => reply({ id: -1, ok: false, code: 'KBS_E_HAL_REMOTE_FRAME', error: 'line too long; skipped' }),
    );
    s.on('data', (d: string) => lines.push(d));
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
  }

  private pick<T>(list: T[] | undefined, i: string | undefined, what: string): T {
    const v = list?.[Number(i)];
    if (v === undefined) throw new RemoteHalError('KBS_E_HAL_REMOTE_TARGET', `no ${what} ${i}`);
    return v;
  }

  private async exec(r: Request): Promise<unknown> {
    if (r.op === 'describe') return this.describe();
    const [kind, a, b] = (r.target as string).split(':');
    const n = (k: number) => {
      const v = r.args[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) throw new RemoteHalError('KBS_E_HAL_REMOTE_ARGS', `argument ${k} of ${r.op} must be an integer 0..65535`);
      return v;
    };
    if (kind === 'i2c' || kind === 'sensor') {
      const bus = kind === 'i2c' ? this.pick(this.hal.i2c, a, 'I2C bus') : this.pick(this.pick(this.hal.sensorBuses, a, 'chain'), b, 'sensor bus');
      switch (r.op) {
        case 'sendByte': return bus.sendByte(n(0), n(1));
        case 'receiveByte': return bus.receiveByte(n(0));
        case 'readByte': return bus.readByte(n(0), n(1));
        case 'writeByte': return bus.writeByte(n(0), n(1), n(2));
        case 'readWord': return bus.readWord(n(0), n(1));
        case 'writeWord': return bus.writeWord(n(0), n(1), n(2));
        case 'readBlock': return (await bus.readBlock(n(0), n(1), Math.min(n(2), 4096))).toString('base64');
        case 'writeBlock': return bus.writeBlock(n(0), n(1), Buffer.from(String(r.args[2] ?? ''), 'base64'));
        default: break;
      }
    } else if (kind === 'gpio') {
      const g = this.hal.gpio;
      const line = a === 'reset' ? this.pick(g.reset, b, 'reset line') : a === 'present' ? this.pick(g.present, b, 'present line') : a === 'led' ? g.led[b as 'red' | 'green'] : g.beeper;
      if (!line) throw new RemoteHalError('KBS_E_HAL_REMOTE_TARGET', `no GPIO ${r.target}`);
      if (r.op === 'gpioRead') return line.read();
      if (r.op === 'gpioWrite') return line.write(n(0) ? 1 : 0);
    } else if (kind === 'pwm') {
      const p = this.pick(this.hal.fans.pwm, a, 'PWM');
      if (r.op === 'setDuty') {
        const d = r.args[0];
        if (typeof d !== 'number' || !(d >= 0 && d <= 1)) throw new RemoteHalError('KBS_E_HAL_REMOTE_ARGS', 'duty must be 0..1');
        return p.setDuty(d);
      }
      if (r.op === 'getDuty') return p.duty;
    } else if (kind === 'tach') {
      if (r.op === 'readRpm') return this.pick(this.hal.fans.tach, a, 'tach').readRpm();
    }
    throw new RemoteHalError('KBS_E_HAL_REMOTE_OP', `op ${r.op} does not apply to ${r.target}`);
  }
}
