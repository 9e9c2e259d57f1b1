import type { Logger } from 'pino';
import type { KabosuConfig } from '../../config';
import type { Component, ReloadResult } from '../../app/component';
import type { MinerControl } from '../../core/minerApi';
import { CgminerApiServer } from './server';

/** The daemon component that serves api.cgminer; a changed section restarts the listener. */
export class CgminerApiComponent implements Component<KabosuConfig> {
  readonly name = 'cgminer-api';
  /** Config sections this component applies on hot reload (with http-api: api). */
  readonly reloads = ['api'] as const;
  readonly critical = false;
  private server?: CgminerApiServer;
  address?: { host: string; port: number };

  constructor(
    private config: KabosuConfig,
    private readonly control: MinerControl,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const c = this.config.api.cgminer;
    if (!c.enabled) return;
    const server = new CgminerApiServer({ host: c.host, port: c.port, personality: c.personality, allow: c.allow, token: c.token, control: this.control, log: this.log });
    this.address = await server.listen();
    this.server = server;
    this.log.info({ ...this.address, personality: c.personality }, 'cgminer API listening');
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await s?.close();
  }

  async reload(next: KabosuConfig): Promise<ReloadResult> {
    if (JSON.stringify(next.api.cgminer) === JSON.stringify(this.config.api.cgminer)) { this.config = next; return { applied: true }; }
    await this.stop();
    this.config = next;
    await this.start();
    return { applied: true };
  }
}
