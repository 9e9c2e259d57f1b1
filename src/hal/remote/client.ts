import { connect, type Socket } from 'node:net';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import { LineSplitter, parseReply, RemoteHalError, type Describe, type Op } from './protocol';

/**
 * The firmware side of the sim-remote hal: `RemoteHal.connect(address)` gives I2cBus, GpioLine,
 * Pwm and Tach objects whose calls travel to a `RemoteHalServer` (the simulator's process). Works
 * in the main thread and in worker threads (each opens its own connection, as each would open
 * /dev/i2c-N). Every call has a timeout; a dead link rejects every pending and later call with
 * KBS_E_HAL_REMOTE_DISCONNECTED, so nothing waits forever.
 */
export interface RemoteHalObjects {
  describe: Describe;
  i2c: I2cBus[];
  sensorBuses: I2cBus[][];
  gpio: { reset: GpioLine[]; present: GpioLine[]; led: { red: GpioLine; green: GpioLine }; beeper: GpioLine | null };
  fans: { pwm: Pwm[]; tach: Tach[] };
  close(): Promise<void>;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class RemoteHalLink {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead?: RemoteHalError;

  private constructor(
    private readonly socket: Socket,
    private readonly address: string,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const lines = new LineSplitter(
      (line) => {
        try {
          const r = parseReply(line);
          const p = this.pending.get(r.id);
          if (!p) return;
          this.pending.delete(r.id);
          clearTimeout(p.timer);
          if (r.ok) p.resolve(r.value);
          else p.reject(new RemoteHalError(r.code, `remote hal ${address}: ${r.error}`));
        } catch {
          /* a malformed reply matches no request; its caller times out */
        }
      },
      () => undefined,
    );
    socket.on('data', (d: string) => lines.push(d));
    const fail = (why: string) => {
      if (this.dead) return;
      this.dead = new RemoteHalError('KBS_E_HAL_REMOTE_DISCONNECTED', `remote hal ${address} disconnected: ${why}`, { hint: 'is `kabosu sim run --hal ...` still running?' });
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(this.dead);
      }
      this.pending.clear();
    };
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('connection closed'));
  }

  static open(address: string, timeoutMs = 2000): Promise<RemoteHalLink> {
    return new Promise((resolve, reject) => {
      const opts = address.startsWith('unix:') ? { path: address.slice(5) } : (() => {
        const m = /^(?:(.+):)?(\d+)$/.exec(address);
        if (!m) throw new RemoteHalError('KBS_E_HAL_REMOTE_ADDRESS', `bad hal address '${address}'`, { hint: 'use unix:/path or [host:]port' });
        return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
      })();
      const s = connect(opts as never);
      const onErr = (e: Error) => reject(new RemoteHalError('KBS_E_HAL_REMOTE_CONNECT', `cannot reach the remote hal at ${address}: ${e.message}`, { hint: 'start the simulator with `kabosu sim run --pty --hal ADDR` first', cause: e }));
      s.once('error', onErr);
      s.once('connect', () => {
        s.off('error', onErr);
        resolve(new RemoteHalLink(s, address, timeoutMs));
      });
    });
  }

  call(op: Op, target: string | undefined, args: (number | string)[] = []): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RemoteHalError('KBS_E_HAL_REMOTE_TIMEOUT', `remote hal ${this.address}: ${op} ${target ?? ''} got no reply in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(JSON.stringify({ id, op, target, args }) + '\n');
    });
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.socket.destroyed) return r();
      this.socket.once('close', () => r());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
  }
}

function bus(link: RemoteHalLink, target: string): I2cBus {
  const num = async (op: Op, args: number[]) => Number(await link.call(op, target, args));
  return {
    sendByte: async (addr, value) => void (await link.call('sendByte', target, [addr, value])),
    receiveByte: (addr) => num('receiveByte', [addr]),
    readByte: (addr, reg) => num('readByte', [addr, reg]),
    writeByte: async (addr, reg, value) => void (await link.call('writeByte', target, [addr, reg, value])),
    readWord: (addr, reg) => num('readWord', [addr, reg]),
    writeWord: async (addr, reg, value) => void (await link.call('writeWord', target, [addr, reg, value])),
    readBlock: async (addr, reg, length) => Buffer.from(String(await link.call('readBlock', target, [addr, reg, length])), 'base64'),
    writeBlock: async (addr, reg, data) => void (await link.call('writeBlock', target, [addr, reg, Buffer.from(data).toString('base64')])),
    close: async () => undefined,
  };
}

function gpio(link: RemoteHalLink, target: string): GpioLine {
  return {
    read: async () => ((await link.call('gpioRead', target)) ? 1 : 0),
    write: async (v) => void (await link.call('gpioWrite', target, [v])),
    close: async () => undefined,
  };
}

export async function connectRemoteHal(address: string, opts: { timeoutMs?: number } = {}): Promise<RemoteHalObjects> {
  const link = await RemoteHalLink.open(address, opts.timeoutMs);
  const d = (await link.call('describe', undefined)) as Describe;
  const pwm: Pwm[] = [];
  for (let i = 0; i < d.pwm; i++) {
    let duty = Number(await link.call('getDuty', `pwm:${i}`));
    pwm.push({
      get duty() {
        return duty;
      },
      setDuty: async (x) => {
        await link.call('setDuty', `pwm:${i}`, [x]);
        duty = x;
      },
      close: async () => undefined,
    });
  }
  return {
    describe: d,
    i2c: Array.from({ length: d.i2cBuses }, (_, i) => bus(link, `i2c:${i}`)),
    sensorBuses: d.sensors.map((n, c) => Array.from({ length: n }, (_, k) => bus(link, `sensor:${c}:${k}`))),
    gpio: {
      reset: Array.from({ length: d.reset }, (_, i) => gpio(link, `gpio:reset:${i}`)),
      present: Array.from({ length: d.present }, (_, i) => gpio(link, `gpio:present:${i}`)),
      led: { red: gpio(link, 'gpio:led:red'), green: gpio(link, 'gpio:led:green') },
      beeper: d.beeper ? gpio(link, 'gpio:beeper') : null,
    },
    fans: { pwm, tach: Array.from({ length: d.tach }, (_, i) => ({ readRpm: async () => Number(await link.call('readRpm', `tach:${i}`)), close: async () => undefined })) },
    close: () => link.close(),
  };
}
