/** The daemon component that runs the MQTT publisher from config (telemetry.mqtt). */
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { MinerControl } from '../core/minerApi';
import type { Credential } from './brokerAcl';
import { MqttPublisher } from './mqtt/client';

export class TelemetryComponent {
  readonly name = 'telemetry';
  readonly critical = false;
  private pub: MqttPublisher | null = null;
  constructor(
    private readonly config: KabosuConfig,
    private readonly control: MinerControl,
    private readonly log: Logger,
    /** The embedded broker's credentials: the publisher uses the daemon's; the log names the operator's. */
    private readonly broker?: { daemon: Credential; operator: Credential; operatorPasswordFile?: string },
  ) {}

  async start(): Promise<void> {
    const m = this.config.telemetry.mqtt;
    this.pub = new MqttPublisher({
      url: m.url, tls: m.tls, baseTopic: m.baseTopic,
      ...(this.broker ? { username: this.broker.daemon.username, password: this.broker.daemon.password } : { username: m.username, password: m.password }),
      deviceId: this.config.device.id, deviceName: this.config.device.name, intervalS: m.intervalS,
      qos: m.qos as 0 | 1 | 2, commands: m.commands,
      publicKeys: m.signedCommands.publicKeys, maxSkewS: m.signedCommands.maxSkewS, offlineQueue: m.offlineQueue, haDiscovery: m.haDiscovery,
      // The embedded aedes broker speaks MQTT 3.1.1 only.
      protocolVersion: m.broker.enabled ? 4 : 5,
    }, this.control, this.log);
    this.pub.start();
    let where = '-h <broker>';
    try { const u = new URL(m.url); where = `-h ${u.hostname} -p ${u.port || (u.protocol === 'mqtts:' ? 8883 : 1883)}`; } catch { /* schema checked the scheme */ }
    this.log.info(`MQTT telemetry to ${m.url.replace(/\/\/[^/@]*@/, '//')}; watch with: mosquitto_sub ${where} -v -t '${this.pub.t.base}/#'`);
    if (this.broker) {
      // The password itself never reaches the log: the file it is in, or the config key.
      const pw = this.broker.operatorPasswordFile ? `"$(cat ${this.broker.operatorPasswordFile})"` : '<telemetry.mqtt.broker.password>';
      this.log.info(`MQTT commands need the broker's operator login: mosquitto_pub ${where} -u ${this.broker.operator.username} -P ${pw} -t '${this.pub.t.cmdPrefix}identify' -m '{}'`);
    }
  }

  async stop(): Promise<void> {
    await this.pub?.stop();
    this.pub = null;
  }
}
