/**
 * One HTTP(S) JSON market source (thin adapter): GET with a timeout and a size cap, the body
 * handed to parseMarketPayload. A failure is a typed error for the cache's problems list; it
 * never reaches mining.
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { KabosuError } from '../core/errors';

export const MAX_BODY_BYTES = 256 * 1024;

export class MarketSourceError extends KabosuError {}

export function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (msg: string, cause?: unknown) =>
      reject(new MarketSourceError('KBS_E_ECON_SOURCE', `${url.replace(/\/\/[^/@]*@/, '//')}: ${msg}`, { hint: 'check economics.market.sources[].url and that the endpoint answers JSON', cause }));
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { timeout: timeoutMs, headers: { accept: 'application/json', 'user-agent': 'kabosu-economics' } }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        fail(`HTTP ${res.statusCode}`);
        return;
      }
      let size = 0;
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy();
          fail(`reply larger than ${MAX_BODY_BYTES} bytes`);
          return;
        }
        chunks.push(d);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', (e) => fail(e.message, e));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => fail(e.message, e));
  });
}
