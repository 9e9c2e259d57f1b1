import pino from 'pino';
import { createServer } from 'node:http';
import { HttpApiServer } from '../../src/api/http/server';
import { buildRoutes } from '../../src/api/http/routes';
import { DaemonControl } from '../../src/app/control';
import { validateConfigData } from '../../src/config';
import { devConfig } from '../../src/app/devConfig';
import { lightStatus } from '../fleet/lightMiner';

/**
 * Child process of `kabosu bench api`: serves either the kabosu HTTP API over a realistic L3+
 * status (`kabosu`) or a bare node:http server answering the same JSON bytes (`baseline`).
 * Prints the port on stdout.
 */
const mode = process.argv[2] ?? 'kabosu';
const now = Date.now();
const status = lightStatus(0, now, now - 3600_000); // an L3+-shaped snapshot, one hour up
if (mode === 'baseline') {
  const body = JSON.stringify(status);
  const s = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }).listen(0, '127.0.0.1', () => console.log((s.address() as { port: number }).port));
} else {
  const cfg = validateConfigData(devConfig(), 'dev').config;
  const control = new DaemonControl({ status: () => status, config: () => cfg });
  const server = new HttpApiServer({ routes: buildRoutes({ control }), token: () => undefined, log: pino({ level: 'silent' }) });
  void server.listen('127.0.0.1', 0).then((a) => console.log(a.port));
}
