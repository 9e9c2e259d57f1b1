/**
 * A scripted Stratum V1 pool on a raw socket (port 0), TCP or TLS, for tests that need control
 * over what src/pool does not do: several messages in ONE write(), hostile difficulties, methods
 * answered with an error or not at all. It checks shares itself: it rebuilds the header from the
 * job it sent and the extranonce1 IT handed out (src/work header building, the pool side of
 * stratum.md §1.5) and hashes it with the chosen algorithm against the difficulty it set.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { getAlgorithm, difficultyToTarget, hashToBigInt, type PowName } from '../../src/pow';
import { headerFor, parseNotify, setNonce } from '../../src/work';

export type Msg = { id: number | string | null; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

export interface RawConn {
  n: number;
  sock: net.Socket;
  extranonce1: string;
  /** Params of the last notify sent, and the difficulty in force for it. */
  notify?: unknown[];
  difficulty: number;
  /** Writes every message in one write() call (one TCP segment on loopback). */
  write(...msgs: unknown[]): void;
}

export interface ShareVerdict { conn: number; ok: boolean; reason: string }

export interface RawPool {
  port: number;
  url: string;
  conns: RawConn[];
  got: Array<Msg & { conn: number }>;
  verdicts: ShareVerdict[];
  /** Check a mining.submit against the connection's own job, extranonce1 and difficulty. */
  verify(c: RawConn, params: unknown[]): Promise<ShareVerdict>;
  close(): Promise<void>;
}

export const PREVHASH = '7dcf1304b04e79024066cd9481aa464e2fe17966e19edf6f33970e1fe0b60277';

/** Notify params for job `id` (coinb1/coinb2 from stratum.md §1.7-A, shortened). */
export function notifyParams(id: string): unknown[] {
  return [id, PREVHASH, '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff27', '0d2f7374726174756d2f00000000', [], '00000002', '1b44dfdb', '53178f9b', true];
}

export function line(o: unknown): string {
  return JSON.stringify(o) + '\n';
}

export async function rawPool(
  handle: (c: RawConn, m: Msg, pool: RawPool) => void,
  o: { tls?: { key: Buffer; cert: Buffer }; pow?: PowName } = {},
): Promise<RawPool> {
  const pow = getAlgorithm(o.pow ?? 'scrypt-sim');
  const conns: RawConn[] = [];
  const got: RawPool['got'] = [];
  const verdicts: ShareVerdict[] = [];
  const sockets = new Set<net.Socket>();
  const pool: RawPool = {
    port: 0, url: '', conns, got, verdicts,
    async verify(c, params) {
      const [, jobId, en2, ntime, nonce] = params as string[];
      const v = (ok: boolean, reason: string): ShareVerdict => { const r = { conn: c.n, ok, reason }; verdicts.push(r); return r; };
      if (!c.notify || jobId !== c.notify[0]) return v(false, 'job not found');
      const job = parseNotify(c.notify, { difficulty: c.difficulty, extranonce1: Buffer.from(c.extranonce1, 'hex'), extranonce2Size: 4 });
      const header = setNonce(headerFor(job, Buffer.from(en2, 'hex'), parseInt(ntime, 16)), parseInt(nonce, 16));
      const hash = await pow.hash(header);
      return hashToBigInt(hash) <= difficultyToTarget(c.difficulty, pow.diff1Target) ? v(true, 'accepted') : v(false, `low difficulty share of ${c.difficulty}`);
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
  const onConn = (sock: net.Socket): void => {
    sockets.add(sock);
    const c: RawConn = {
      n: conns.length, sock, difficulty: 1,
      extranonce1: (0xe1000000 + conns.length * 0x10101).toString(16).padStart(8, '0'),
      write: (...msgs) => { if (!sock.destroyed) sock.write(msgs.map(line).join('')); },
    };
    conns.push(c);
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    sock.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, i)) as Msg;
        buf = buf.slice(i + 1);
        got.push({ ...m, conn: c.n });
        handle(c, m, pool);
      }
    });
  };
  const server = o.tls ? tls.createServer({ key: o.tls.key, cert: o.tls.cert }, onConn) : net.createServer(onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  pool.port = (server.address() as net.AddressInfo).port;
  pool.url = `stratum+${o.tls ? 'ssl' : 'tcp'}://127.0.0.1:${pool.port}`;
  return pool;
}

/** The subscribe result for a connection. */
export function subscribeReply(c: RawConn, id: Msg['id']): unknown {
  return { id, result: [[['mining.set_difficulty', `d${c.n}`], ['mining.notify', `n${c.n}`]], c.extranonce1, 4], error: null };
}

/**
 * The common pool behaviour: subscribe answered with result + set_difficulty + notify in ONE
 * write (what many pools do), authorize true, submit verified against the pool's own header.
 */
export function burstPool(difficulty: number, onSubmit?: (c: RawConn, ok: boolean) => void) {
  return (c: RawConn, m: Msg, pool: RawPool): void => {
    if (m.method === 'mining.subscribe') {
      c.difficulty = difficulty;
      c.notify = notifyParams(`j${c.n}`);
      c.write(subscribeReply(c, m.id), { id: null, method: 'mining.set_difficulty', params: [difficulty] }, { id: null, method: 'mining.notify', params: c.notify });
    } else if (m.method === 'mining.authorize') {
      c.write({ id: m.id, result: true, error: null });
    } else if (m.method === 'mining.submit') {
      void pool.verify(c, m.params ?? []).then((v) => {
        c.write(v.ok ? { id: m.id, result: true, error: null } : { id: m.id, result: null, error: [23, v.reason, null] });
        onSubmit?.(c, v.ok);
      });
    } else if (m.id !== null && m.method) {
      c.write({ id: m.id, result: null, error: [20, 'Unknown method', null] });
    }
  };
}
