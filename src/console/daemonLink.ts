import { KabosuError } from '../core/errors';
import { localRequest } from '../api/local/client';
import type { ChipStatus, DaemonEvent, DaemonStatus } from '../core/minerApi';

/**
 * The console's only way to the running daemon: its local control socket (src/api/local,
 * `MinerControl` routes). Every call has a short timeout so a hung daemon never hangs the
 * console; `alive()` is what the prompt uses to switch to rescue mode.
 */
const ALIVE_MS = 1000;

export class DaemonLink {
  /** When the daemon last answered (a reply within ALIVE_MS spares the prompt its ping). */
  private lastOkAt = 0;

  constructor(readonly socketPath: string, private readonly timeoutMs = 3000) {}

  private async ask<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      const r = await localRequest<T>(this.socketPath, method, path, timeoutMs, body);
      this.lastOkAt = performance.now();
      return r;
    } catch (err) {
      if (err instanceof KabosuError && (err.code === 'KBS_E_APP_NOT_RUNNING' || err.code === 'KBS_E_API_UNREACHABLE')) this.lastOkAt = 0;
      throw err;
    }
  }

  async alive(): Promise<boolean> {
    if (this.lastOkAt > 0 && performance.now() - this.lastOkAt < ALIVE_MS) return true;
    try {
      await this.ask('GET', '/v1/ping', undefined, 1000);
      return true;
    } catch {
      return false;
    }
  }
  status(): Promise<DaemonStatus> {
    return this.ask('GET', '/v1/status');
  }
  chips(): Promise<ChipStatus[]> {
    return this.ask('GET', '/v1/chips');
  }
  events(since = 0, limit = 100): Promise<DaemonEvent[]> {
    return this.ask('GET', `/v1/events?since=${since}&limit=${limit}`);
  }
  config(): Promise<unknown> {
    return this.ask('GET', '/v1/config');
  }
  diag(): Promise<unknown> {
    return this.ask('POST', '/v1/diag', undefined, 120_000);
  }
  async command(name: 'pause' | 'resume' | 'restart' | 'identify' | 'fan-mode', body?: unknown): Promise<string> {
    const r = await this.ask<{ result: string }>('POST', `/v1/commands/${name}`, body, 30_000);
    return r.result;
  }
  /** An audit record in the daemon's event log; false when the daemon cannot take it. */
  async record(kind: string, message: string, data: Record<string, unknown>, severity: DaemonEvent['severity'] = 'info'): Promise<boolean> {
    try {
      await this.ask('POST', '/v1/events', { kind, message, data, severity }, 1000);
      return true;
    } catch (err) {
      if (err instanceof KabosuError) return false;
      throw err;
    }
  }
}
