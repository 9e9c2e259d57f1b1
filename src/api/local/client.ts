import { request } from 'node:http';
import { KabosuError } from '../../core/errors';

/** Asks the running daemon over its local control socket (a JSON `body` for POST routes). */
export function localRequest<T>(socketPath: string, method: string, path: string, timeoutMs = 5000, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    // agent: false: one fresh unix-socket connection per request. A kept-alive one can be closed
    // by the server's keep-alive timeout just as it is reused (EPIPE/ECONNRESET on a good request).
    const req = request({ socketPath, path, method, timeout: timeoutMs, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          reject(new KabosuError('KBS_E_API_BAD_REPLY', `the daemon sent an unreadable reply to ${path}`));
          return;
        }
        if ((res.statusCode ?? 500) >= 400) {
          const e = parsed as { code?: string; error?: string; hint?: string };
          reject(new KabosuError(e.code ?? 'KBS_E_API_ERROR', e.error ?? `status ${res.statusCode}`, { hint: e.hint }));
        } else resolve(parsed as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const notRunning = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      reject(
        new KabosuError(
          notRunning ? 'KBS_E_APP_NOT_RUNNING' : 'KBS_E_API_UNREACHABLE',
          notRunning ? `no kabosu daemon is running (no control socket at ${socketPath})` : `cannot reach the daemon at ${socketPath}: ${err.message}`,
          { hint: notRunning ? "start it with 'kabosu run' (same --config/--data-dir), or 'npm start'" : 'check that the daemon is healthy' },
        ),
      );
    });
    req.end(payload);
  });
}
