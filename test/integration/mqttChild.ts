// Child process for the LWT test: runs a publisher until killed (-9).
import { MqttPublisher } from '../../src/telemetry/mqtt/client';
import { control } from '../unit/telemetry/fixture';

const p = new MqttPublisher({ url: process.argv[2], baseTopic: 'kabosu', deviceId: 'child', deviceName: 'child', intervalS: 60, qos: 0, commands: [] }, control());
p.start();
setInterval(() => { if (p.connected) process.stdout.write('connected\n'); }, 100);
