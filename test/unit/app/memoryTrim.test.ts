import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { MemoryTrimComponent } from '../../../src/app/memoryTrim';
import { loadAddon } from '../../../src/native/load';

test('trims once after start-up, then every period, and not after stop', async () => {
  const clock = new VirtualClock();
  let calls = 0;
  const c = new MemoryTrimComponent(clock, { firstMs: 1000, periodMs: 5000, trim: () => (calls++, true) });
  await c.start();
  await clock.advance(999);
  assert.is(calls, 0);
  await clock.advance(1);
  assert.is(calls, 1);
  await clock.advance(5000);
  assert.is(calls, 2);
  await c.stop();
  await clock.advance(60_000);
  assert.is(calls, 2);
});

function rssAnonKb(): number {
  return Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

test('the addon trim gives freed C-heap pages back: RssAnon drops after a fragmented free', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // 48 MiB of 48 KiB blocks from malloc's arenas (below the mmap threshold); every 16th stays
  // alive so free() cannot shrink the heap from the top: the holes need malloc_trim.
  let blocks: Buffer[] | null = Array.from({ length: 1024 }, () => Buffer.allocUnsafeSlow(48 * 1024).fill(1));
  const keep = blocks.filter((_, i) => i % 16 === 15);
  blocks = null;
  gc();
  gc();
  const before = rssAnonKb();
  const released = loadAddon().mallocTrim();
  const after = rssAnonKb();
  assert.ok(released, 'malloc_trim reported nothing released');
  assert.ok(before - after > 16 * 1024, `RssAnon ${before} kB -> ${after} kB`);
  assert.is(keep.length, 64);
});

test.run();
