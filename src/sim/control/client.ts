/**
 * A small client for the simulator control API (used by `kabosu sim state|fault|clear|oracle`).
 * Address: `http://host:port`, `host:port`, a bare port, or `unix:/path/to.sock`.
 */
import { request } from 'node:http';
import { KabosuError } from '../../core/errors';

export interface ControlTarget {
  socketPath?: string;
  host?: string;
  port?: number;
}

export function parseControlAddress(addr: string): ControlTarget {
  if (addr.startsWith('unix:')) return { socketPath: addr.slice(5) };
  const m = /^(?:http:\/\/)?(?:([^:/]+):)?(\d{1,5})\/?$/.exec(addr);
  if (!m || Number(m[2]) > 65535) {
    throw new KabosuError('KBS_E_SIM_ADDRESS', `'${addr}' is not a control address`, { hint: 'use a port, host:port, http://host:port or unix:/path' });
  }
  return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

export async function callControl(addr: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const t = parseControlAddress(addr);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(t.socketPath ? { socketPath: t.socketPath } : { host: t.host, port: t.port }),
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* keep text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', (e) =>
      reject(new KabosuError('KBS_E_SIM_UNREACHABLE', `cannot reach the simulator at ${addr}: ${e.message}`, { hint: "start one with 'kabosu sim run --control PORT'", cause: e })),
    );
    if (payload) req.write(payload);
    req.end();
  });
}
