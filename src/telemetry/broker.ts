/**
 * An embedded MQTT broker (aedes) for `npm start` when no broker is configured: listens on
 * telemetry.mqtt.broker.host:port (loopback by default), with the access rules of brokerAcl.ts
 * (only kabosu's own client publishes the miner's state; commands need the operator credential;
 * anonymous clients may only read). aedes is ESM; tsx's require hook loads it.
 */
import { createServer, type Server, type AddressInfo } from 'net';
import type { Logger } from 'pino';
import { publishRefusal, roleOf, subscribeRefusal, type BrokerAclOptions, type BrokerRole } from './brokerAcl';

interface AedesClient { id: string; kabosuRole?: BrokerRole }
interface AedesBroker {
  handle: (s: unknown) => unknown;
  close(cb?: () => void): void;
}
type Cb = (err: Error | null, ok?: boolean) => void;
interface AedesOptions {
  authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: Cb): void;
  authorizePublish(client: AedesClient | null, packet: { topic: string }, cb: (err?: Error | null) => void): void;
  authorizeSubscribe(client: AedesClient, sub: { topic: string }, cb: (err: Error | null, sub?: unknown) => void): void;
}

export class EmbeddedBroker {
  readonly name = 'mqtt-broker';
  readonly critical = false;
  private server: Server | null = null;
  private broker: AedesBroker | null = null;
  port = 0;
  /** Refused publishes and subscriptions since start (a burst of them is worth an event). */
  refused = 0;
  constructor(private readonly host: string, private readonly wantPort: number, private readonly acl: BrokerAclOptions, private readonly log?: Logger) {}

  async start(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Aedes } = require('aedes') as { Aedes: { createBroker(o: AedesOptions): Promise<AedesBroker> } };
    const refuse = (client: AedesClient | null, what: string, reason: string): Error => {
      this.refused++;
      // Rate-limited by nature: aedes drops a client on its first refused QoS>0 publish.
      this.log?.warn({ client: client?.id?.slice(0, 64), role: client?.kabosuRole ?? 'anonymous', what: what.slice(0, 128) }, `mqtt broker refused: ${reason}`);
      return new Error(reason);
    };
    const b = await Aedes.createBroker({
      authenticate: (client, username, password, cb) => { client.kabosuRole = roleOf(this.acl, username, password); cb(null, true); },
      authorizePublish: (client, packet, cb) => {
        // client null: the broker's own $SYS messages.
        const why = client ? publishRefusal(this.acl, client.kabosuRole ?? 'anonymous', packet.topic) : null;
        cb(why ? refuse(client, packet.topic, why) : null);
      },
      authorizeSubscribe: (client, sub, cb) => {
        const why = subscribeRefusal(this.acl, client.kabosuRole ?? 'anonymous');
        if (why) cb(refuse(client, sub.topic, why));
        else cb(null, sub);
      },
    });
    this.broker = b;
    const srv = createServer((sock) => b.handle(sock));
    await new Promise<void>((res, rej) => { srv.once('error', rej); srv.listen(this.wantPort, this.host, () => res()); });
    this.server = srv;
    this.port = (srv.address() as AddressInfo).port;
    this.log?.info({ host: this.host, port: this.port, operator: this.acl.operator.username, anonymousRead: this.acl.anonymousRead }, `embedded MQTT broker on mqtt://${this.host}:${this.port}`);
  }

  async stop(): Promise<void> {
    const s = this.server; const b = this.broker;
    this.server = null; this.broker = null;
    if (b) await new Promise<void>((res) => b.close(() => res()));
    if (s) await new Promise<void>((res) => s.close(() => res()));
  }
}
