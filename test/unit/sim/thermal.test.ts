import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BoardThermal, steadyStateC } from '../../../src/sim/physics/thermal';

test('the RC node approaches the steady state exponentially and never overshoots', () => {
  const th = new BoardThermal(1400, 25);
  const target = steadyStateC(180, 25, 6);
  let prev = 25;
  for (let i = 0; i < 2000; i++) {
    const t = th.step(1000, 180, 25, 6);
    assert.ok(t >= prev && t <= target + 1e-9);
    prev = t;
  }
  assert.ok(Math.abs(prev - target) < 0.01);
});

test.run();
