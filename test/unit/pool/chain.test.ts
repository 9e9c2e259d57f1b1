import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sha256d } from '../../../src/pow';
import { SyntheticChain, coinbaseBranch } from '../../../src/pool/chain';
import { buildCoinbase, merkleRoot, parseNotify, notifyParams, headerFor, swapWords } from '../../../src/work';

/** Full Bitcoin merkle tree (duplicate the last on odd levels), raw byte order. */
function fullRoot(leaves: Buffer[]): Buffer {
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i], level[i + 1] ?? level[i]])));
    level = next;
  }
  return level[0];
}

test('the coinbase branch gives the same root as the full merkle tree for 0..9 transactions', () => {
  for (let n = 0; n < 10; n++) {
    const txids = Array.from({ length: n }, (_, i) => sha256d(Buffer.from(`tx${i}`)));
    const cb = sha256d(Buffer.from('coinbase'));
    assert.equal(merkleRoot(cb, coinbaseBranch(txids)), fullRoot([cb, ...txids]), `n=${n}`);
  }
});

test('jobs carry a BIP34 height, a prevhash chain and clean_jobs; they parse as notify params', () => {
  const c = new SyntheticChain('t');
  const j1 = c.job(1_700_000_000, true, 0);
  const prev1 = c.prevhash;
  c.newBlock();
  const j2 = c.job(1_700_000_060, true, 0);
  assert.is(j2.height, j1.height + 1);
  assert.not.equal(c.prevhash, prev1);
  assert.equal(swapWords(j2.prevhash), c.prevhash);
  // height push right after the script length byte: 01 <height>
  assert.is(j1.coinb1[42], 1);
  assert.is(j1.coinb1[43], j1.height);
  const parsed = parseNotify(notifyParams(j2), { difficulty: 1, extranonce1: Buffer.alloc(4), extranonce2Size: 4 });
  assert.is(parsed.jobId, j2.jobId);
  const cb = buildCoinbase(parsed.coinb1, Buffer.alloc(4), Buffer.alloc(4), parsed.coinb2);
  // script length byte covers the pushes through extranonce1+extranonce2
  assert.is(cb[41], cb.length - 42 - parsed.coinb2.length);
  assert.is(cb[41], 2 + 1 + 13 + 1 + 8);
  assert.is(headerFor(parsed, Buffer.alloc(4), parsed.ntime).length, 80);
});

test.run();
