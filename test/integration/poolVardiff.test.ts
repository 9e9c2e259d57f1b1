import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, scryptSync } from 'node:crypto';
import * as net from 'node:net';
import { KabosuProcs } from '../helpers/kabosuProcs';

/**
 * `kabosu pool --pow scrypt` with its default vardiff, mined by a small CPU miner written here
 * from stratum.md §1.5/§1.6 alone (its own coinbase, merkle root, header, node:crypto scrypt and
 * target math; nothing from src/). Like cpuminer and ASIC firmwares it rebuilds work only when
 * a notify brings a new job id, and submits every nonce that meets the difficulty it was last
 * told before that job. A retarget that re-priced work already handed out rejects most of them.
 */
const USER = 'vardiff.cpu';
const sha256d = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const DIFF1 = 0xffffn << 224n;
/** floor(diff1 / D) for a fractional D (32 fractional bits are plenty here). */
const targetOf = (d: number) => (DIFF1 << 32n) / BigInt(Math.round(d * 2 ** 32));
const le256 = (h: Buffer) => BigInt('0x' + Buffer.from(h).reverse().toString('hex'));
const scrypt = (header: Buffer) => scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 });
const u32le = (hex: string) => { const b = Buffer.alloc(4); b.writeUInt32LE(parseInt(hex, 16) >>> 0); return b; };

interface Work { jobId: string; en2: string; ntime: string; prefix: Buffer; target: bigint; difficulty: number; nonce: number }

function buildWork(p: unknown[], extranonce1: string, en2: string, difficulty: number): Work {
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime] = p as [string, string, string, string, string[], string, string, string];
  let root = sha256d(Buffer.from(coinb1 + extranonce1 + en2 + coinb2, 'hex'));
  for (const b of branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
  const pv = Buffer.from(prevhash, 'hex');
  for (let i = 0; i < 32; i += 4) pv.writeUInt32LE(pv.readUInt32BE(i), i); // each 4-byte word byte-reversed
  const prefix = Buffer.concat([u32le(version), pv, root, u32le(ntime), u32le(nbits)]);
  return { jobId, en2, ntime, prefix, target: targetOf(difficulty), difficulty, nonce: 0 };
}

class CpuMiner {
  readonly sock: net.Socket;
  extranonce1 = '';
  told: number | null = null;
  setDifficulties: number[] = [];
  /** For each set_difficulty after the first: was the next notify a job id never seen before? */
  retargetThenNewJob: boolean[] = [];
  private seenJobs = new Set<string>();
  private awaitingJob = false;
  work?: Work;
  private nextId = 10;
  private en2 = 0;
  submitted = 0; accepted = 0;
  rejects: string[] = [];
  private pending = new Map<number, (r: { result: unknown; error: unknown }) => void>();
  private buf = '';

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) { const line = this.buf.slice(0, i); this.buf = this.buf.slice(i + 1); if (line.trim()) this.onMessage(JSON.parse(line)); }
    });
  }

  request(method: string, params: unknown[]): Promise<{ result: unknown; error: unknown }> {
    const id = this.nextId++;
    this.sock.write(JSON.stringify({ id, method, params }) + '\n');
    return new Promise((res) => this.pending.set(id, res));
  }

  async handshake(): Promise<void> {
    const sub = await this.request('mining.subscribe', ['independent-cpu/1']);
    this.extranonce1 = (sub.result as [unknown, string, number])[1];
    await this.request('mining.authorize', [USER, 'x']);
  }

  private onMessage(m: { id: number | null; method?: string; params?: unknown[]; result?: unknown; error?: unknown }): void {
    if (m.method === 'mining.set_difficulty') {
      this.told = m.params![0] as number;
      this.setDifficulties.push(this.told);
      if (this.setDifficulties.length > 1) this.awaitingJob = true;
      return;
    }
    if (m.method === 'mining.notify') {
      const p = m.params!;
      if (this.awaitingJob) { this.retargetThenNewJob.push(!this.seenJobs.has(p[0] as string)); this.awaitingJob = false; }
      this.seenJobs.add(p[0] as string);
      // Only a new job id makes new work; a repeated id leaves the work (and its difficulty) alone.
      if (this.work && this.work.jobId === p[0] && p[8] !== true) return;
      if (this.told === null) throw new Error('notify before any set_difficulty');
      this.work = buildWork(p, this.extranonce1, (this.en2++).toString(16).padStart(8, '0'), this.told);
      return;
    }
    if (m.id !== null && this.pending.has(m.id)) { this.pending.get(m.id)!(m as { result: unknown; error: unknown }); this.pending.delete(m.id); }
  }

  /** Hashes `count` nonces of the current work; submits each that meets its difficulty. */
  hash(count: number): void {
    const w = this.work;
    if (!w) return;
    const header = Buffer.alloc(80);
    w.prefix.copy(header);
    for (let k = 0; k < count; k++) {
      const n = w.nonce++;
      header.writeUInt32LE(n, 76);
      if (le256(scrypt(header)) > w.target) continue;
      this.submitted++;
      void this.request('mining.submit', [USER, w.jobId, w.en2, w.ntime, n.toString(16).padStart(8, '0')]).then((r) => {
        if (r.result === true) this.accepted++;
        else this.rejects.push(`${JSON.stringify(r.error)} (work difficulty ${w.difficulty})`);
      });
    }
  }
}

test('an independent miner that rebuilds work only on a new job id gets >= 99% accepted across vardiff retargets', async () => {
  const k = new KabosuProcs('kabosu-vardiff-');
  try {
    // Vardiff at its default (--vardiff 10 s); a start difficulty far below the miner's rate so
    // vardiff retargets several times within seconds. Long blocks: no clean_jobs during the test.
    const { firstLine } = k.start(['pool', '--port', '0', '--pow', 'scrypt', '--difficulty', String(1 / 4096), '--block-interval', '600']);
    const port = Number((await firstLine).trim().split(':').pop());
    const m = new CpuMiner(port);
    await m.handshake();
    const HPS = 400; // well under one core; hashing in slices keeps replies flowing
    const t0 = Date.now();
    let done = 0;
    while (Date.now() - t0 < 45_000 && !(m.setDifficulties.length >= 4 && m.submitted >= 52)) {
      await new Promise((r) => setTimeout(r, 25));
      const due = Math.floor(((Date.now() - t0) / 1000) * HPS) - done;
      m.hash(due);
      done += due;
    }
    await new Promise((r) => setTimeout(r, 1000)); // last replies
    const detail = `submitted ${m.submitted}, accepted ${m.accepted}, set_difficulty ${JSON.stringify(m.setDifficulties)}, rejects ${m.rejects.slice(0, 5).join('; ')}`;
    assert.ok(m.setDifficulties.length >= 4, `several retargets observed: ${detail}`);
    assert.ok(m.setDifficulties[m.setDifficulties.length - 1] > m.setDifficulties[0], detail);
    assert.ok(m.submitted >= 52, detail);
    assert.ok(m.accepted >= 0.99 * m.submitted, detail);
    // Each retarget came as set_difficulty followed by work under a new job id.
    assert.ok(m.retargetThenNewJob.length >= 3 && m.retargetThenNewJob.every(Boolean), JSON.stringify(m.retargetThenNewJob));

    // A share that misses its difficulty is rejected with the share's own difficulty in the text.
    const probe = new CpuMiner(port);
    await probe.handshake();
    await new Promise((r) => setTimeout(r, 200));
    const w = probe.work!;
    const header = Buffer.alloc(80);
    w.prefix.copy(header);
    let nonce = 0;
    for (;; nonce++) { header.writeUInt32LE(nonce, 76); if (le256(scrypt(header)) > w.target) break; }
    const own = Number((DIFF1 * 10n ** 18n) / le256(scrypt(header))) / 1e18;
    const r = await probe.request('mining.submit', [USER, w.jobId, w.en2, w.ntime, nonce.toString(16).padStart(8, '0')]);
    const [code, text] = r.error as [number, string];
    assert.is(code, 23);
    const said = Number(/low difficulty share of ([0-9.e+-]+)/.exec(text)?.[1]);
    assert.ok(Math.abs(said - own) / own < 1e-3, `reject '${text}' states the share's difficulty ${own}`);
    m.sock.destroy();
    probe.sock.destroy();
  } finally {
    await k.cleanup();
  }
});

test.run();
