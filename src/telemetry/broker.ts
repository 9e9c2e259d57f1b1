/**
 * An embedded MQTT broker (aedes) for `npm start` when no broker is configured: listens on
 * telemetry.mqtt.broker.host:port (loopback by default). aedes is ESM; tsx's require hook loads it.
 */
import { createServer, type Server, type AddressInfo } from 'net';
import type { Logger } from 'pino';

export class EmbeddedBroker {
  readonly name = 'mqtt-broker';
  readonly critical = false;
  private server: Server | null = null;
  private broker: { handle: (s: unknown) => unknown; close(cb?: () => void): void } | null = null;
  port = 0;
  constructor(private readonly host: string, private readonly wantPort: number, private readonly log?: Logger) {}

  async start(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Aedes } = require('aedes') as { Aedes: { createBroker(): Promise<EmbeddedBroker['broker']> } };
    const b = await Aedes.createBroker();
    this.broker = b;
    const srv = createServer((sock) => b!.handle(sock));
    await new Promise<void>((res, rej) => { srv.once('error', rej); srv.listen(this.wantPort, this.host, () => res()); });
    this.server = srv;
    this.port = (srv.address() as AddressInfo).port;
    this.log?.info({ host: this.host, port: this.port }, `embedded MQTT broker on mqtt://${this.host}:${this.port}`);
  }

  async stop(): Promise<void> {
    const s = this.server; const b = this.broker;
    this.server = null; this.broker = null;
    if (b) await new Promise<void>((res) => b.close(() => res()));
    if (s) await new Promise<void>((res) => s.close(() => res()));
  }
}
