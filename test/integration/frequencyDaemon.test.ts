/**
 * The daemon's wiring of the one frequency owner (app/components.ts): simulated L3+ boards, the
 * mining pipeline and thermal control composed as the daemon does. The room heats up (simulator
 * fault), thermal control throttles, and the throttle reaches the chips through the owner:
 * `chips()` reports the plan (base, scale, effective) and the simulator's chip registers (true
 * state) run exactly the effective frequencies. The owner's own behaviour (per-chip plans, caps,
 * re-init) is covered on the same simulator by frequencyOwner.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildInProcess } from '../helpers/inProcessComponents';
import { validateConfigText } from '../../src/config/validate';
import { startTestPool } from '../../src/pool';
import type { SimMiner } from '../../src/sim';

function until(what: string, fn: () => boolean, ms: number): Promise<void> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const tick = () => (fn() ? res() : Date.now() - t0 > ms ? rej(new Error(`timed out: ${what}`)) : setTimeout(tick, 50));
    tick();
  });
}

test('a thermal throttle reaches every chip through the frequency owner; the simulated chips run the plan', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-freqd-'));
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 });
  const { config } = validateConfigText(JSON.stringify({
    version: 1, mining: { enabled: true },
    pools: [{ name: 'a', url: pool.url, user: 'w', password: 'x' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 4, pow: 'scrypt-sim', transport: 'stream', timeScale: 100 } },
    // A low "hot" line: the chips cross it at their normal temperature, well below where they
    // would hang (an overheated simulated chip stops answering, as a real one does).
    thermal: { targetC: 35, hotC: 40, dangerousC: 84 },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
  }), 'test');
  const { built, status, control, sim: simOrNone } = await buildInProcess(config, dir);
  const ac = new AbortController();
  const started: typeof built.components = [];
  try {
    for (const c of built.components) {
      await c.start(ac.signal);
      started.push(c);
    }
    const sim: SimMiner = simOrNone!;
    const truth = () => sim.control.state().chains.map((ch) => ch.chips.map((c) => c.freqMHz));
    await until('mining', () => status().state === 'mining', 60_000);
    let chips = control.chips();
    assert.is(chips.length, 4 * 72);
    assert.ok(chips.every((c) => c.freq_plan?.base_mhz === 384 && c.freq_plan.cap_mhz === null), 'stock bases, no caps');

    await until('throttled', () => control.chips()[0]!.freq_plan!.scale < 1, 60_000);
    const scaleNow = () => control.chips()[0]!.freq_plan!.scale;
    // Let the chains finish the ramp of the scale seen now (the owner serialises per chain).
    let s0 = scaleNow();
    await until('ramp done', () => {
      chips = control.chips();
      const t = truth();
      const same = scaleNow() === s0 && chips.every((c) => c.freq_plan!.running_mhz === c.freq_mhz && t[c.chain]![c.chip] === c.freq_mhz);
      s0 = scaleNow();
      return same;
    }, 30_000);
    assert.ok(s0 < 1 && s0 >= 0.5, `scale ${s0}`);
    for (const c of chips) {
      assert.is(c.freq_plan!.scale, s0);
      assert.ok(c.freq_mhz! <= 384 * s0 + 1e-9 && c.freq_mhz! > 384 * s0 - 5, `chip ${c.chain}/${c.chip} at ${c.freq_mhz} for scale ${s0}`);
    }
    const st = status();
    assert.ok(st.chains.every((ch) => ch.freq_mhz === chips[0]!.freq_mhz), `chain figures follow the plan: ${JSON.stringify(st.chains.map((ch) => [ch.freq_mhz, ch.chips_found]))} vs ${chips[0]!.freq_mhz}`);
    assert.ok(st.thermal!.boards.some((b) => b.throttle_pct > 0));
  } finally {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
