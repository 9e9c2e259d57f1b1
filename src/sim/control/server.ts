/**
 * The simulator's control API: JSON over HTTP (node:http) on a local TCP port or a unix socket.
 * For test harnesses, fleet tools and `kabosu sim ...`; the firmware never calls it.
 *
 *   GET    /v1/state[?chips=false]   true state (per chain hashrate, power, temperatures, fans, chips)
 *   POST   /v1/start | /v1/stop       resume / pause physics stepping
 *   GET    /v1/faults                 active faults
 *   POST   /v1/faults                 {fault, target, params} -> 201 the active fault with its id
 *   DELETE /v1/faults/<id>            clear one;  DELETE /v1/faults  clear all
 *   POST   /v1/scenario               {steps: [{at_ms, fault, target, params, clear?}]}
 *   POST   /v1/oracle                 {target, max_power_w?, min_hashrate_hps?, ...} -> best settings
 * Errors are {code, error, hint} with 400/404/405/413/500, never a stack (conventions 2.3.1).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { KabosuError } from '../../core/errors';
import { parseFaultSpec, parseScenario } from '../faults/faultSpec';
import type { SimControl } from '../miner';
import { badRequest, parseOracleRequest, toWire } from './wire';

export const MAX_BODY_BYTES = 64 * 1024;

/** What the server drives: the control surface plus run/pause. */
export interface ControlledSim {
  control: SimControl;
  start(): void;
  pause(): void;
}

export type ListenOn = { port: number; host?: string } | { socketPath: string };

export class SimControlServer {
  private server?: Server;
  private socketPath?: string;

  constructor(
    private readonly sim: ControlledSim,
    private readonly log?: Logger,
  ) {}

  /** Listens; resolves to the address clients use: `http://host:port` or `unix:/path`. */
  async listen(on: ListenOn): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    if ('socketPath' in on) {
      if (existsSync(on.socketPath)) unlinkSync(on.socketPath);
      this.socketPath = on.socketPath;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(on.socketPath, () => resolve());
      });
      chmodSync(on.socketPath, 0o600); // only this user (and root) may drive the simulator
      return `unix:${on.socketPath}`;
    }
    const host = on.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(on.port, host, () => resolve());
    });
    const a = server.address() as AddressInfo;
    return `http://${host}:${a.port}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    if (this.socketPath) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        /* already gone */
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const out = await this.route(req.method ?? 'GET', url, req);
      send(res, out.status, out.body);
    } catch (e) {
      if (e instanceof KabosuError) {
        const status = e.code === 'KBS_E_SIM_NOT_FOUND' ? 404 : e.code === 'KBS_E_SIM_METHOD' ? 405 : e.code === 'KBS_E_SIM_TOO_LARGE' ? 413 : 400;
        send(res, status, e.toJSON());
        return;
      }
      this.log?.error({ err: e }, 'control API handler failed');
      send(res, 500, { code: 'KBS_E_SIM_INTERNAL', error: 'internal error' });
    }
  }

  private async route(method: string, url: URL, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const c = this.sim.control;
    const path = url.pathname.replace(/\/+$/, '');
    const only = (m: string): void => {
      if (method !== m) throw new KabosuError('KBS_E_SIM_METHOD', `${method} is not allowed on ${path}`, { hint: `use ${m}` });
    };
    if (path === '/v1/state') {
      only('GET');
      const s = c.state();
      if (url.searchParams.get('chips') === 'false') for (const ch of s.chains) ch.chips = [];
      return { status: 200, body: toWire(s) };
    }
    if (path === '/v1/start' || path === '/v1/stop') {
      only('POST');
      if (path === '/v1/start') this.sim.start();
      else this.sim.pause();
      return { status: 200, body: { running: path === '/v1/start' } };
    }
    if (path === '/v1/faults') {
      if (method === 'GET') return { status: 200, body: toWire(c.faults()) };
      if (method === 'POST') return { status: 201, body: toWire(c.inject(parseFaultSpec(await readJson(req)))) };
      if (method === 'DELETE') return { status: 200, body: { cleared: c.clearAll() } };
      throw new KabosuError('KBS_E_SIM_METHOD', `${method} is not allowed on ${path}`, { hint: 'use GET, POST or DELETE' });
    }
    const m = /^\/v1\/faults\/([^/]+)$/.exec(path);
    if (m) {
      only('DELETE');
      const id = Number(m[1]);
      if (!Number.isInteger(id) || id <= 0) throw badRequest(`fault id '${m[1]}' is not a positive integer`);
      if (!c.clear(id)) throw new KabosuError('KBS_E_SIM_NOT_FOUND', `no active fault ${id}`, { hint: 'GET /v1/faults lists them' });
      return { status: 200, body: { cleared: 1 } };
    }
    if (path === '/v1/scenario') {
      only('POST');
      return { status: 200, body: { scheduled: c.schedule(parseScenario(await readJson(req))) } };
    }
    if (path === '/v1/oracle') {
      only('POST');
      const r = parseOracleRequest(await readJson(req));
      return { status: 200, body: toWire(c.oracle(r.target, r.opts)) };
    }
    throw new KabosuError('KBS_E_SIM_NOT_FOUND', `no route ${method} ${path}`, { hint: 'routes: /v1/state, /v1/faults, /v1/scenario, /v1/oracle, /v1/start, /v1/stop' });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KabosuError('KBS_E_SIM_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON', 'send a JSON object with Content-Type: application/json');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
