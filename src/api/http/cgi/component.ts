import type { Logger } from 'pino';
import type { KabosuConfig } from '../../../config';
import type { Component, ReloadResult } from '../../../app/component';
import type { MinerControl } from '../../../core/minerApi';
import { readHostFacts } from './hostNetwork';
import { StockCgiServer } from './server';

/** Whether api.cgi is served with this config: the antminer-l3plus personality, and `auto` only on real boards. */
export function cgiWanted(c: KabosuConfig): { on: boolean; why: string } {
  const cgi = c.api.cgi;
  if (cgi.enabled === false) return { on: false, why: 'api.cgi.enabled is false' };
  if (cgi.enabled === 'auto' && c.hashboards.backend !== 'linux') return { on: false, why: 'api.cgi.enabled is auto and the boards are not real (hashboards.backend is not linux)' };
  if (c.api.cgminer.personality !== 'antminer-l3plus') return { on: false, why: `api.cgminer.personality is ${c.api.cgminer.personality}; the stock CGIs are served only with antminer-l3plus` };
  return { on: true, why: '' };
}

/** The daemon component serving api.cgi; a changed listen address restarts the listener. */
export class StockCgiComponent implements Component<KabosuConfig> {
  readonly name = 'stock-cgi';
  readonly critical = false;
  private server?: StockCgiServer;
  port?: number;

  constructor(
    private config: KabosuConfig,
    private readonly control: MinerControl,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const want = cgiWanted(this.config);
    if (!want.on) {
      if (this.config.api.cgi.enabled === true) this.log.warn({ why: want.why }, 'stock Antminer CGI not served');
      return;
    }
    const c = this.config.api.cgi;
    const server = new StockCgiServer({ control: this.control, log: this.log, password: () => this.config.api.cgi.password, host: readHostFacts });
    const addr = await server.listen(c.host, c.port);
    this.server = server;
    this.port = addr.port;
    this.log.info({ host: c.host, port: addr.port, writes: c.password ? 'digest auth (root)' : 'disabled (no api.cgi.password)' }, 'stock Antminer CGI listening');
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await s?.close();
  }

  async reload(next: KabosuConfig): Promise<ReloadResult> {
    const a = this.config;
    this.config = next; // the password is read per request
    const same = JSON.stringify(cgiWanted(a)) === JSON.stringify(cgiWanted(next)) && a.api.cgi.host === next.api.cgi.host && a.api.cgi.port === next.api.cgi.port;
    if (same) return { applied: true };
    await this.stop();
    await this.start();
    return { applied: true };
  }
}
