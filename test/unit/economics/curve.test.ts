import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { curveFromFront } from '../../../src/economics/curve';

test('a front becomes points thinned by power, with eco (best J/H at 80 % of published) and max named, and off', () => {
  const front = Array.from({ length: 500 }, (_, k) => ({ wallPowerW: 1000 + k * 6, hashrateHps: 5e9 + k * 1.3e7 - (k * k) * 1e4 }));
  const pts = curveFromFront(front, { hashrateHps: 9.5e9 }, { idleW: 10, maxPoints: 20 });
  const power = pts.filter((p) => p.label.startsWith('power '));
  assert.ok(power.length <= 20 && power.length >= 15, String(power.length));
  for (const p of power) assert.is(p.apply.kind === 'power' && p.apply.watts, Math.ceil(p.wallPowerW));
  const eco = pts.find((p) => p.label === 'eco preset')!;
  const ok = front.filter((p) => p.hashrateHps >= 0.8 * 9.5e9);
  const best = ok.reduce((a, b) => (b.wallPowerW / b.hashrateHps < a.wallPowerW / a.hashrateHps ? b : a));
  assert.is(eco.wallPowerW, best.wallPowerW);
  assert.is(pts.find((p) => p.label === 'max preset')!.wallPowerW, front[front.length - 1]!.wallPowerW);
  assert.equal(pts[pts.length - 1], { label: 'off', hashrateHps: 0, wallPowerW: 10, apply: { kind: 'pause' } });
  assert.equal(curveFromFront([], { hashrateHps: 1 }), []);
});

test.run();
