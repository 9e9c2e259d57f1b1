import type { ServerResponse } from 'node:http';
import type { DaemonEvent, MinerControl } from '../../../core/minerApi';

/**
 * `GET /api/v1/events/stream`: Server-Sent Events of the same status snapshot every interface
 * reads (`event: status`, every `periodMs` while anyone listens: one snapshot serialized once
 * per tick for every client) and of each daemon event as it happens (`event: event`).
 */
export const STREAM_PERIOD_MS = 500;
const MAX_CLIENTS = 32;

export class StatusStream {
  private readonly clients = new Set<ServerResponse>();
  private timer?: NodeJS.Timeout;
  private readonly onEvent = (e: DaemonEvent) => this.broadcast('event', JSON.stringify(e));

  constructor(
    private readonly control: MinerControl,
    private readonly periodMs = STREAM_PERIOD_MS,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response (it stays open until the client goes or close()). */
  attach(res: ServerResponse): void {
    if (this.clients.size >= MAX_CLIENTS) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'KBS_E_API_BUSY', error: `at most ${MAX_CLIENTS} live streams`, hint: 'close another dashboard tab' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    res.write(`retry: 2000\n\n`);
    this.clients.add(res);
    res.on('close', () => this.detach(res));
    this.write(res, 'status', this.snapshot());
    if (this.clients.size === 1) {
      this.control.events.on('event', this.onEvent, this);
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  private detach(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.control.events.off(this);
    }
  }

  private snapshot(): string {
    try {
      return JSON.stringify(this.control.status());
    } catch {
      return 'null'; // still starting
    }
  }

  private tick(): void {
    this.broadcast('status', this.snapshot());
  }

  private broadcast(event: string, data: string): void {
    for (const c of this.clients) this.write(c, event, data);
  }

  private write(res: ServerResponse, event: string, data: string): void {
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  close(): void {
    for (const c of [...this.clients]) {
      c.end();
      this.detach(c);
    }
  }
}
