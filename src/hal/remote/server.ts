/**
 * Remote-hal server: serves a simulated miner's I2C buses, sensor buses, GPIO lines and fans
 * (SimMinerHal) over a unix socket (or TCP loopback), so a firmware in another process (or a
 * worker thread) reaches them as it would reach /dev/i2c-N and sysfs on a real controller.
 * One request at a time per connection is not required: requests are answered in arrival order.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import { KabosuError } from '../../core/errors';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import { FrameDecoder, encodeFrame, parseRequest } from './frame';
import type { BusRef, RemoteRequest, RemoteResponse, RemoteTopology } from './frame';

/** The parts of a simulated miner's hal that the server exposes (SimMinerHal satisfies it). */
export interface ServedHal {
  i2c: I2cBus[];
  sensorBuses: I2cBus[][];
  gpio: { reset: GpioLine[]; present: GpioLine[]; led: { red: GpioLine; green: GpioLine }; beeper: GpioLine | null };
  fans: { pwm: Pwm[]; tach: Tach[] };
}

/** Flat line names: reset.N, present.N, led.red, led.green, beeper. */
export function gpioLines(h: ServedHal): Map<string, GpioLine> {
  const m = new Map<string, GpioLine>();
  h.gpio.reset.forEach((l, i) => m.set(`reset.${i}`, l));
  h.gpio.present.forEach((l, i) => m.set(`present.${i}`, l));
  m.set('led.red', h.gpio.led.red);
  m.set('led.green', h.gpio.led.green);
  if (h.gpio.beeper) m.set('beeper', h.gpio.beeper);
  return m;
}

export class RemoteHalServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly lines: Map<string, GpioLine>;
  private path: string | null = null;

  constructor(
    private readonly hal: ServedHal,
    private readonly log?: Logger,
  ) {
    this.lines = gpioLines(hal);
  }

  topology(): RemoteTopology {
    return { i2cBuses: this.hal.i2c.length, sensorBuses: this.hal.sensorBuses.map((s) => s.length), gpio: [...this.lines.keys()], fans: this.hal.fans.pwm.length };
  }

  /** Listens on 'unix:/path' or 'HOST:PORT' / 'PORT' (loopback); resolves the address to give clients. */
  async listen(addr: string): Promise<string> {
    const server = createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (addr.startsWith('unix:')) {
        this.path = addr.slice(5);
        try {
          unlinkSync(this.path); // a stale socket from a killed sim
        } catch {
          /* none there */
        }
        server.listen(this.path, () => resolve());
      } else {
        const m = /^(?:([^:]+):)?(\d+)$/.exec(addr);
        if (!m) return reject(new KabosuError('KBS_E_HAL_REMOTE_ADDRESS', `bad remote-hal address '${addr}'`, { hint: 'use unix:/path or HOST:PORT' }));
        server.listen(Number(m[2]), m[1] ?? '127.0.0.1', () => resolve());
      }
    });
    if (this.path) return `unix:${this.path}`;
    const a = server.address();
    return typeof a === 'object' && a ? `${a.address}:${a.port}` : addr;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (this.path) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    const dec = new FrameDecoder();
    // Answers go out in request order even when handlers finish out of order.
    let chain: Promise<void> = Promise.resolve();
    // Answers finished in the same tick leave in one write (see RemoteHalClient.send).
    let corked = false;
    const send = (frame: Buffer): void => {
      if (!corked) {
        corked = true;
        s.cork();
        process.nextTick(() => {
          corked = false;
          s.uncork();
        });
      }
      s.write(frame);
    };
    s.on('data', (chunk) => {
      let msgs: unknown[];
      try {
        msgs = dec.push(chunk);
      } catch (e) {
        this.log?.warn({ err: (e as Error).message }, 'remote-hal: bad frame, closing connection');
        s.destroy();
        return;
      }
      for (const m of msgs) {
        const reply = this.answer(m);
        chain = chain.then(async () => {
          const r = await reply;
          if (!s.destroyed) send(encodeFrame(r));
        });
      }
    });
  }

  private async answer(m: unknown): Promise<RemoteResponse> {
    const rawId = m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined;
    const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 ? rawId : 0;
    try {
      const req = parseRequest(m);
      const value = await this.run(req);
      return value === undefined ? { id, ok: true } : { id, ok: true, value };
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      return { id, ok: false, code: typeof err.code === 'string' ? err.code : 'KBS_E_HAL_REMOTE_FAILED', error: String(err.message ?? e) };
    }
  }

  private bus(ref: BusRef): I2cBus {
    const b = ref.kind === 'ctrl' ? this.hal.i2c[ref.index] : this.hal.sensorBuses[ref.chain]?.[ref.sensor];
    if (!b) throw new KabosuError('KBS_E_HAL_REMOTE_NO_DEVICE', `no such i2c bus ${JSON.stringify(ref)}`);
    return b;
  }

  private async run(r: RemoteRequest): Promise<number | number[] | RemoteTopology | undefined> {
    switch (r.op) {
      case 'describe':
        return this.topology();
      case 'i2c': {
        const b = this.bus(r.bus);
        const reg = r.reg ?? 0;
        switch (r.method) {
          case 'sendByte':
            return void (await b.sendByte(r.addr, r.value ?? 0));
          case 'receiveByte':
            return b.receiveByte(r.addr);
          case 'readByte':
            return b.readByte(r.addr, reg);
          case 'writeByte':
            return void (await b.writeByte(r.addr, reg, r.value ?? 0));
          case 'readWord':
            return b.readWord(r.addr, reg);
          case 'writeWord':
            return void (await b.writeWord(r.addr, reg, r.value ?? 0));
          case 'readBlock':
            return [...(await b.readBlock(r.addr, reg, r.length ?? 0))];
          case 'writeBlock':
            return void (await b.writeBlock(r.addr, reg, Uint8Array.from(r.data ?? [])));
        }
        break;
      }
      case 'gpio': {
        const l = this.lines.get(r.line);
        if (!l) throw new KabosuError('KBS_E_HAL_REMOTE_NO_DEVICE', `no gpio line '${r.line}'`);
        if (r.method === 'read') return l.read();
        return void (await l.write(r.value ?? 0));
      }
      case 'pwm': {
        const p = this.hal.fans.pwm[r.fan];
        if (!p) throw new KabosuError('KBS_E_HAL_REMOTE_NO_DEVICE', `no fan ${r.fan}`);
        return void (await p.setDuty(r.duty));
      }
      case 'tach': {
        const t = this.hal.fans.tach[r.fan];
        if (!t) throw new KabosuError('KBS_E_HAL_REMOTE_NO_DEVICE', `no fan ${r.fan}`);
        return t.readRpm();
      }
    }
    return undefined;
  }
}
