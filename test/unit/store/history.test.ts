import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import fc from 'fast-check';
import { HistoryRing, HISTORY_SERIES, MINUTES_7D, downsample, type HistoryRecord } from '../../../src/store/historyRing';
import { HistoryFiles, decodeJournal, decodeSnapshot, encodeRecord, encodeSnapshot, HISTORY_RECORD_BYTES } from '../../../src/store/historyFile';
import { HistoryComponent, recordOf, JOURNAL_EVERY_MIN, SNAPSHOT_EVERY_MIN } from '../../../src/app/history';
import { VirtualClock } from '../../../src/hal/clock';
import type { DaemonStatus } from '../../../src/core/minerApi';

const rec = (minute: number, v = minute): HistoryRecord => ({ minute, ...Object.fromEntries(HISTORY_SERIES.map((s, i) => [s, v + i])) }) as HistoryRecord;

test('the ring keeps 7 days at 1-minute resolution and drops what is older on wrap', () => {
  const ring = new HistoryRing(MINUTES_7D);
  const start = 29_000_000;
  for (let m = start; m < start + MINUTES_7D + 10; m++) ring.put(rec(m));
  assert.is(ring.get(start), undefined, 'the oldest minute was overwritten');
  assert.is(ring.get(start + 10)!.hashrate_hps, start + 10);
  const r = ring.range(start, start + MINUTES_7D + 9);
  assert.is(r.length, MINUTES_7D);
  assert.is(r[0].minute, start + 10);
});

test('gaps stay gaps and downsampling adds counts but averages levels', () => {
  const ring = new HistoryRing(100);
  ring.put(rec(1000, 10));
  ring.put(rec(1002, 20));
  const r = ring.range(1000, 1003);
  assert.equal(r.map((x) => x.minute), [1000, 1002]);
  const d = downsample(r, 5);
  assert.is(d.length, 1);
  assert.is(d[0].hashrate_hps, 15);
  assert.is(d[0].accepted, 10 + 6 + 20 + 6);
});

test('a snapshot round-trips; damage of any byte is detected', () => {
  const ring = new HistoryRing(64);
  for (let m = 500; m < 560; m++) ring.put(rec(m));
  const buf = encodeSnapshot(ring);
  const back = decodeSnapshot(buf, 64);
  assert.ok(back.ok);
  if (back.ok) assert.equal(back.ring.get(530), ring.get(530));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: buf.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const bad = Buffer.from(buf);
      bad[i] ^= x;
      assert.not.ok(decodeSnapshot(bad, 64).ok);
    }),
    { numRuns: 300, seed: 7 },
  );
  assert.not.ok(decodeSnapshot(buf.subarray(0, buf.length - 1), 64).ok);
  assert.not.ok(decodeSnapshot(buf, 65).ok, 'a different span is refused, not misread');
});

test('the journal keeps every intact record and ignores a torn tail', () => {
  const recs = [rec(100), rec(101), rec(102)];
  const buf = Buffer.concat([...recs.map(encodeRecord), encodeRecord(rec(103)).subarray(0, 10)]);
  const j = decodeJournal(buf);
  assert.is(j.records.length, 3);
  assert.is(j.damagedBytes, 10);
  const flipped = Buffer.concat(recs.map(encodeRecord));
  flipped[HISTORY_RECORD_BYTES + 3] ^= 1;
  assert.is(decodeJournal(flipped).records.length, 1, 'stops at the first corrupt record');
});

test('files: journal then snapshot restore the ring; a corrupt snapshot falls back to the journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-hist-'));
  const f = new HistoryFiles(join(dir, 'h.bin'), join(dir, 'h.journal'), 128);
  const ring = new HistoryRing(128);
  for (let m = 1000; m < 1010; m++) ring.put(rec(m));
  f.snapshot(ring);
  assert.is(statSync(join(dir, 'h.journal'), { throwIfNoEntry: false })?.size ?? 0, 0);
  f.append([rec(1010), rec(1011)]);
  let l = f.load();
  assert.equal(l.problems, []);
  assert.ok(l.ring.get(1005) && l.ring.get(1011));
  writeFileSync(join(dir, 'h.bin'), readFileSync(join(dir, 'h.bin')).subarray(0, 100));
  appendFileSync(join(dir, 'h.journal'), Buffer.from([1, 2, 3]));
  l = f.load();
  assert.is(l.problems.length, 2);
  assert.ok(l.ring.get(1011), 'journal records survive a damaged snapshot');
  assert.is(l.ring.get(1005), undefined);
});

function status(accepted: number, rejected: number, hps: number): DaemonStatus {
  const fig = { hps, rel_err: 0.01 };
  return {
    hashrate: { chips: { '5s': fig, '1m': fig, '15m': fig, total: fig }, pool_accepted: null },
    shares: { submitted: 0, accepted, rejected: { stale: rejected }, not_submitted: {} },
    thermal: { mode: 'auto', target_c: 75, hot_c: 85, dangerous_c: 95, boards: [{ index: 0, chip_temp_c: 70, board_temp_c: 50, state: 'ok', throttle_pct: 0 }, { index: 1, chip_temp_c: 74, board_temp_c: null, state: 'ok', throttle_pct: 0 }], fans: [{ index: 0, rpm: 3000, duty_pct: 50, ok: true }, { index: 1, rpm: 2900, duty_pct: 50, ok: true }], interlock: { armed: true, trips: 0, last_trip: null } },
  } as unknown as DaemonStatus;
}

test('a minute record takes maxima, minimum fan, and per-minute share counts', () => {
  const r = recordOf(status(15, 3, 5e8), 42, { accepted: 10, rejected: 1 });
  assert.is(r.chip_temp_max_c, 74);
  assert.is(r.board_temp_max_c, 50);
  assert.is(r.fan_rpm_min, 2900);
  assert.is(r.accepted, 5);
  assert.is(r.rejected, 2);
  assert.ok(Number.isNaN(r.power_w), 'no power section: no reading, not zero');
});

test('the component samples each minute, writes bounded bytes per day, and serves the API query', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-histc-'));
  const clock = new VirtualClock();
  let wall = 1_700_000_000_000;
  let accepted = 0;
  const c = new HistoryComponent(dir, () => status((accepted += 30), 0, 5e8), clock, pino({ level: 'silent' }), () => wall);
  await c.start();
  const day = 24 * 60;
  for (let m = 0; m < day; m++) {
    wall += 60_000;
    clock.advance(60_000);
  }
  await c.stop();
  // One day: journal appends every JOURNAL_EVERY_MIN minutes + a snapshot every SNAPSHOT_EVERY_MIN + the one at stop.
  const snapshots = Math.floor(day / SNAPSHOT_EVERY_MIN) + 1;
  assert.ok(c.bytesWritten < (snapshots + 1) * 370_000, `bytes/day ${c.bytesWritten}`);
  const again = new HistoryComponent(dir, () => status(0, 0, 0), clock, pino({ level: 'silent' }), () => wall);
  await again.start();
  const q = again.query(new URLSearchParams({ from: String(wall - 3600_000), to: String(wall) })) as { step_minutes: number; series: { at_ms: number; hashrate_hps: number; accepted: number }[] };
  assert.is(q.step_minutes, 1);
  assert.ok(q.series.length >= 59, `restored after restart: ${q.series.length}`);
  assert.is(q.series[5].hashrate_hps, 5e8);
  assert.is(q.series[5].accepted, 30);
  const week = again.query(new URLSearchParams({ from: String(wall - 7 * 86400_000) })) as { step_minutes: number; series: unknown[] };
  assert.ok(week.series.length <= 2000 && week.step_minutes >= 6);
  assert.throws(() => again.query(new URLSearchParams({ from: 'yesterday' })), /non-negative integer/);
  await again.stop();
  void JOURNAL_EVERY_MIN;
});

test.run();
