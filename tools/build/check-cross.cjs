// Runs under an ARM Node (qemu-user on CI): the cross-built addon's NEON kernel against its
// scalar kernel (seeded random headers, odd batch sizes) and both against the known vectors of
// test/vectors/pow/headers.json; prints the neon/scalar speed ratio. With --no-neon (armv7 on a
// CPU without NEON, qemu's `-cpu ...,neon=off`) the addon must list only the scalar path, which
// is then checked alone: the run-time fallback of native/src/scrypt_dispatch.cc.
//   node tools/build/check-cross.cjs [--no-neon] <kabosu.node> <headers.json> [reader-cases.json]
'use strict';
const argv = process.argv.slice(2);
const noNeon = argv[0] === '--no-neon';
if (noNeon) argv.shift();
const addon = require(require('path').resolve(argv[0]));
const vectors = require(require('path').resolve(argv[1])).headers;
const tag = `check-${process.arch}${noNeon ? ' (no NEON)' : ''}`;
const paths = addon.paths().map((p) => p.name);
const want = noNeon ? ['scalar'] : ['neon', 'neon-x1', 'scalar'];
if (!['arm64', 'arm'].includes(process.arch) || paths.join(',') !== want.join(',')) {
  console.error(`${tag}: arch ${process.arch}, paths ${paths.join(',')}: expected an ARM Node with paths ${want.join(',')}`);
  process.exit(1);
}
const kernels = noNeon ? ['scalar'] : ['neon', 'scalar'];
let fail = 0;
// Known vectors (the stored hash may be in display order, i.e. byte-reversed).
for (const v of vectors) {
  const h = Buffer.from(v.header, 'hex');
  for (const p of kernels) {
    const out = addon.scryptSync(Buffer.concat([h, h, h, h, h]), p);
    for (let i = 0; i < 5; i++) {
      const got = out.subarray(32 * i, 32 * i + 32);
      const ok = got.toString('hex') === v.scrypt || Buffer.from(got).reverse().toString('hex') === v.scrypt;
      if (!ok) { fail++; console.error(`${tag}: ${p} ${v.id} lane ${i}: ${got.toString('hex')} != ${v.scrypt}`); }
    }
  }
}
// Seeded random headers (xorshift32), neon vs scalar, 203 headers (50 full NEON batches + 3 left).
let s = 0x6b61626f;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s & 255; };
const n = 203;
const hs = Buffer.alloc(80 * n);
for (let i = 0; i < hs.length; i++) hs[i] = rnd();
if (noNeon) {
  console.log(`${tag}: paths ${paths.join(',')}; ${vectors.length} vectors x5 lanes on scalar: ${fail ? 'FAIL' : 'ok'}`);
} else {
  let t = process.hrtime.bigint();
  const a = addon.scryptSync(hs, 'neon');
  const tNeon = Number(process.hrtime.bigint() - t);
  t = process.hrtime.bigint();
  const b = addon.scryptSync(hs, 'scalar');
  const tScalar = Number(process.hrtime.bigint() - t);
  for (let i = 0; i < n; i++)
    if (!a.subarray(32 * i, 32 * i + 32).equals(b.subarray(32 * i, 32 * i + 32))) { fail++; console.error(`${tag}: header ${i}: neon != scalar`); }
  console.log(`${tag}: paths ${paths.join(',')}; ${vectors.length} vectors x2 paths, ${n} random headers neon==scalar: ${fail ? 'FAIL' : 'ok'}; ` +
    `neon/scalar speed ${(tScalar / tNeon).toFixed(2)}x (emulated: ratio only)`);
}

// The UART reader thread (native/src/uart_reader.cc) on ARM: each case's byte stream is written
// to a PTY, the reader frames and hashes it on its own thread, and every record must carry the
// hash the host computed (tools/build/cross-reader-vectors.ts), every byte must arrive in order.
async function readerCases(file) {
  const fs = require('fs');
  const { cases } = JSON.parse(fs.readFileSync(file, 'utf8'));
  let bad = 0;
  let hashed = 0;
  for (const c of cases) {
    const { masterFd, slaveFd, slavePath } = addon.openpty();
    const fd = addon.uartOpen(slavePath, 115200);
    const recs = [];
    const chunks = [];
    const reader = new addon.UartReader(fd, (chunk, extra) => {
      if (!chunk) return;
      chunks.push(Buffer.from(chunk));
      if (Buffer.isBuffer(extra)) for (let o = 0; o + 56 <= extra.length; o += 56) recs.push({ nonce: extra.readUInt32LE(o), wire: extra.readUInt32LE(o + 4), gen: extra.readUInt32LE(o + 8), urgent: (extra.readUInt32LE(o + 12) & 1) === 1, hash: extra.subarray(o + 16, o + 48).toString('hex') });
    }, c.spec);
    reader.setJob(c.wire, Buffer.from(c.header76, 'hex'), Buffer.alloc(32, 0xff), 7);
    fs.writeSync(masterFd, Buffer.from(c.stream, 'hex'));
    const end = Date.now() + 60000;
    while ((recs.length < c.nonces.length || Buffer.concat(chunks).length < c.stream.length / 2) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    reader.stop();
    for (const f of [fd, slaveFd, masterFd]) addon.closeFd(f);
    const tag = `${c.family}/${c.pow}`;
    if (Buffer.concat(chunks).toString('hex') !== c.stream) { bad++; console.error(`${tag}: reader ${tag}: bytes differ from the stream written`); }
    if (recs.length !== c.nonces.length) { bad++; console.error(`${tag}: reader ${tag}: ${recs.length} records for ${c.nonces.length} nonces`); continue; }
    c.nonces.forEach((nonce, k) => {
      const r = recs[k];
      if (r.nonce !== nonce >>> 0 || r.wire !== c.wire || r.gen !== 7 || !r.urgent || r.hash !== c.hashes[k]) { bad++; console.error(`${tag}: reader ${tag} nonce ${k}: got ${JSON.stringify(r)}, want hash ${c.hashes[k]}`); }
      else hashed++;
    });
  }
  // setThreadPolicy (native/src/sched.cc): the policy the kernel reports back, and a foreign tid refused.
  const policy = () => { const st = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'); return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[41 - 3]); };
  const sched = addon.setThreadPolicy(process.pid, 'batch') === true && policy() === 3 && addon.setThreadPolicy(process.pid, 'normal') === true && policy() === 0 && addon.setThreadPolicy(1, 'batch') === false;
  if (!sched) { bad++; console.error(`${tag}: setThreadPolicy did not set and read back SCHED_BATCH / SCHED_OTHER`); }
  console.log(`${tag}: UART reader thread, ${cases.length} cases (3 families x scrypt, scrypt-sim): ${hashed} nonces hashed as on the host${bad ? ', FAIL' : ', ok'}; setThreadPolicy ${sched ? 'ok' : 'FAIL'}`);
  return bad;
}

(async () => {
  if (argv[2]) fail += await readerCases(argv[2]);
  process.exit(fail ? 1 : 0);
})();
