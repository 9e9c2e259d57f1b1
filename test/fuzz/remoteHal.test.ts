import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtocolError } from '../../src/core/errors';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame, parseRequest, parseResponse } from '../../src/hal/remote/frame';
import { RemoteHalClient, RemoteHalServer } from '../../src/hal/remote';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim/miner';
import { standInFactory } from '../unit/sim/standInChain';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const params = { seed, numRuns: 500 };
console.log(`fuzz seed ${seed} (FC_SEED to replay)`);

const onlyProtocolErrors = (f: () => void): boolean => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
  return true;
};

test('decoder: any bytes in any chunking give JSON payloads or a ProtocolError, never another throw', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
      const d = new FrameDecoder();
      return onlyProtocolErrors(() => {
        for (const c of chunks) d.push(Buffer.from(c));
      });
    }),
    params,
  );
});

test('decoder: encoded frames split anywhere decode back to the same messages', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(400), { maxLength: 8 }), (msgs, cuts) => {
      const bytes = Buffer.concat(msgs.map((m) => encodeFrame(m)));
      const d = new FrameDecoder();
      const out: unknown[] = [];
      let at = 0;
      for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
        out.push(...d.push(bytes.subarray(at, Math.max(at, c))));
        at = Math.max(at, c);
      }
      assert.equal(out, msgs.map((m) => JSON.parse(JSON.stringify(m)) as unknown));
    }),
    { ...params, numRuns: 200 },
  );
});

test('decoder: a length over the bound is refused before buffering the body', () => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
  assert.throws(() => new FrameDecoder().push(head), (e: Error) => e instanceof ProtocolError);
});

const op = fc.constantFrom('describe', 'i2c', 'gpio', 'pwm', 'tach', 'x');
const method = fc.constantFrom('sendByte', 'receiveByte', 'readByte', 'writeByte', 'readWord', 'writeWord', 'readBlock', 'writeBlock', 'read', 'write', 'nope');
const anyNum = fc.oneof(fc.integer({ min: -300, max: 70000 }), fc.double(), fc.constant(0.5));
const requestish = fc.record(
  {
    id: fc.oneof(fc.nat(), fc.constant(-1), fc.string()),
    op,
    method,
    bus: fc.oneof(fc.record({ kind: fc.constantFrom('ctrl', 'sensor', 'x'), index: anyNum, chain: anyNum, sensor: anyNum }), fc.anything()),
    addr: anyNum,
    reg: anyNum,
    value: anyNum,
    length: anyNum,
    data: fc.oneof(fc.array(anyNum, { maxLength: 300 }), fc.anything()),
    line: fc.oneof(fc.string(), fc.anything()),
    fan: anyNum,
    duty: anyNum,
  },
  { requiredKeys: [] },
);

test('parseRequest/parseResponse: any value is a typed request/response or a ProtocolError; accepted ones are in range', () => {
  fc.assert(
    fc.property(fc.oneof(requestish, fc.anything()), (v) => {
      onlyProtocolErrors(() => {
        const r = parseRequest(v);
        if (r.op === 'i2c') {
          assert.ok(r.addr >= 0 && r.addr <= 127);
          if (r.data) assert.ok(r.data.length <= 256 && r.data.every((b) => b >= 0 && b <= 255));
        }
        if (r.op === 'pwm') assert.ok(r.duty >= 0 && r.duty <= 1);
      });
      return onlyProtocolErrors(() => parseResponse(v));
    }),
    params,
  );
});

test('server: random bytes on one connection close only that connection; the next client is served', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-rfz-'));
  const m = createSimMiner({ boardId: 'l3plus', seed: 2, clock: new VirtualClock(), chainFactory: standInFactory(384) });
  const server = new RemoteHalServer(m.hal);
  const addr = await server.listen(`unix:${join(dir, 'h.sock')}`);
  try {
    const samples = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 200 }), requestish.map((r) => encodeFrame(r))), { seed, numRuns: 40 });
    for (const bytes of samples) {
      const s = connect(addr.slice(5));
      await new Promise<void>((resolve) => {
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.on('data', () => undefined);
        s.write(Buffer.from(bytes), () => setTimeout(() => s.destroy(), 5));
      });
    }
    const c = await RemoteHalClient.connect(addr);
    assert.is(await c.gpio('present.0').read(), 1);
    await c.close();
  } finally {
    await server.close();
    await m.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
