import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * "Test connection" for a pool the owner is about to add: connect, `mining.subscribe`, then
 * `mining.authorize` with the given worker, and report what the pool said and how long it took.
 * Stratum V1 over TCP or TLS (JSON lines). Nothing is mined and the connection is closed.
 */
export interface PoolProbeResult {
  ok: boolean;
  /** connect | subscribe | authorize | done: how far it got. */
  stage: 'connect' | 'subscribe' | 'authorize' | 'done';
  latency_ms: number | null;
  message: string;
}

const URL_RE = /^stratum\+(tcp|ssl):\/\/([^\s/:]+)(?::([0-9]{1,5}))?\/?$/;

export function probePool(p: { url: string; user: string; password?: string }, timeoutMs = 5000): Promise<PoolProbeResult> {
  const m = URL_RE.exec(p.url);
  if (!m) return Promise.resolve({ ok: false, stage: 'connect', latency_ms: null, message: 'the URL must look like stratum+tcp://host:port or stratum+ssl://host:port' });
  const [, scheme, host, portText] = m;
  const port = Number(portText ?? 3333);
  const started = performance.now();
  return new Promise((resolve) => {
    let stage: PoolProbeResult['stage'] = 'connect';
    let buf = '';
    let latency: number | null = null;
    let settled = false;
    const sock: Socket = scheme === 'ssl' ? tlsConnect({ host, port, servername: host, rejectUnauthorized: false }) : tcpConnect({ host, port });
    const done = (r: Omit<PoolProbeResult, 'stage' | 'latency_ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...r, stage, latency_ms: latency });
    };
    const timer = setTimeout(() => done({ ok: false, message: `no answer within ${timeoutMs / 1000} s at stage ${stage}` }), timeoutMs);
    sock.setEncoding('utf8');
    sock.once(scheme === 'ssl' ? 'secureConnect' : 'connect', () => {
      latency = Math.round((performance.now() - started) * 10) / 10;
      stage = 'subscribe';
      sock.write(JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['kabosu-probe/1'] }) + '\n');
    });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * 1024) return done({ ok: false, message: 'the pool sent an over-long line' });
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        let msg: { id?: unknown; result?: unknown; error?: unknown };
        try {
          msg = JSON.parse(line);
        } catch {
          return done({ ok: false, message: 'the pool answered with something that is not Stratum JSON' });
        }
        if (msg.id === 1) {
          if (msg.error) return done({ ok: false, message: `subscribe refused: ${JSON.stringify(msg.error).slice(0, 160)}` });
          stage = 'authorize';
          sock.write(JSON.stringify({ id: 2, method: 'mining.authorize', params: [p.user, p.password ?? 'x'] }) + '\n');
        } else if (msg.id === 2) {
          if (msg.result === true) {
            stage = 'done';
            return done({ ok: true, message: `connected, subscribed and authorized as ${p.user}` });
          }
          return done({ ok: false, message: `worker ${p.user} not authorized${msg.error ? `: ${JSON.stringify(msg.error).slice(0, 160)}` : ''}` });
        }
      }
    });
    sock.on('error', (e) => done({ ok: false, message: `cannot connect to ${host}:${port}: ${e.message}` }));
    sock.on('close', () => done({ ok: false, message: `the pool closed the connection at stage ${stage}` }));
  });
}
