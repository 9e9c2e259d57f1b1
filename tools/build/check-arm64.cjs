// Runs under an arm64 Node (qemu-user on CI): the cross-built addon's NEON kernel against its
// scalar kernel (seeded random headers, odd batch sizes) and against the known vectors of
// test/vectors/pow/headers.json; prints the neon/scalar speed ratio.
//   node tools/build/check-arm64.cjs <kabosu.node> <headers.json>
'use strict';
const addon = require(require('path').resolve(process.argv[2]));
const vectors = require(require('path').resolve(process.argv[3])).headers;
const paths = addon.paths().map((p) => p.name);
if (process.arch !== 'arm64' || !paths.includes('neon') || !paths.includes('scalar')) {
  console.error(`check-arm64: arch ${process.arch}, paths ${paths.join(',')}: expected arm64 with neon and scalar`);
  process.exit(1);
}
let fail = 0;
// Known vectors (the stored hash may be in display order, i.e. byte-reversed).
for (const v of vectors) {
  const h = Buffer.from(v.header, 'hex');
  for (const p of ['neon', 'scalar']) {
    const out = addon.scryptSync(Buffer.concat([h, h, h, h, h]), p);
    for (let i = 0; i < 5; i++) {
      const got = out.subarray(32 * i, 32 * i + 32);
      const ok = got.toString('hex') === v.scrypt || Buffer.from(got).reverse().toString('hex') === v.scrypt;
      if (!ok) { fail++; console.error(`check-arm64: ${p} ${v.id} lane ${i}: ${got.toString('hex')} != ${v.scrypt}`); }
    }
  }
}
// Seeded random headers (xorshift32), neon vs scalar, 203 headers (50 full NEON batches + 3 left).
let s = 0x6b61626f;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s & 255; };
const n = 203;
const hs = Buffer.alloc(80 * n);
for (let i = 0; i < hs.length; i++) hs[i] = rnd();
let t = process.hrtime.bigint();
const a = addon.scryptSync(hs, 'neon');
const tNeon = Number(process.hrtime.bigint() - t);
t = process.hrtime.bigint();
const b = addon.scryptSync(hs, 'scalar');
const tScalar = Number(process.hrtime.bigint() - t);
for (let i = 0; i < n; i++)
  if (!a.subarray(32 * i, 32 * i + 32).equals(b.subarray(32 * i, 32 * i + 32))) { fail++; console.error(`check-arm64: header ${i}: neon != scalar`); }
console.log(`check-arm64: ${vectors.length} vectors x2 paths, ${n} random headers neon==scalar: ${fail ? 'FAIL' : 'ok'}; ` +
  `neon/scalar speed ${(tScalar / tNeon).toFixed(2)}x (emulated: ratio only)`);
process.exit(fail ? 1 : 0);
