import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../../../src/sim/physics/random';

test('seeded random: forks are independent and reproducible', () => {
  const r = new SeededRandom(1);
  const a = r.fork('x').next();
  r.next();
  assert.is(r.fork('x').next(), a);
  assert.is.not(r.fork('y').next(), a);
  let sum = 0;
  const n = new SeededRandom(3);
  for (let i = 0; i < 20000; i++) sum += n.normal();
  assert.ok(Math.abs(sum / 20000) < 0.03);
});

test.run();
