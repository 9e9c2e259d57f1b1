import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { WorkScheduler, bm1485RefreshMs } from '../../../src/hashboard/workScheduler';
import { JobRing } from '../../../src/hashboard/jobRing';

function setup(refresh = 1000) {
  const clock = new VirtualClock();
  const sent: { chain: number; work: string; at: number }[] = [];
  let job = 'none';
  let counter = 0;
  const chains = [0, 1, 2, 3].map((index) => ({ index, dispatch: (w: string) => sent.push({ chain: index, work: w, at: clock.now() }) }));
  const s = new WorkScheduler<string>({
    clock,
    chains,
    nextWork: (c) => (job === 'none' ? undefined : `${job}/c${c}/${counter++}`),
    refreshMs: () => refresh,
  });
  return { clock, sent, s, setJob: (j: string) => (job = j) };
}

test('a new job reaches every chain at once, in one pass', () => {
  const { s, sent, setJob } = setup();
  setJob('j1');
  s.newWork();
  assert.equal(sent.map((x) => x.chain), [0, 1, 2, 3]);
  assert.ok(sent.every((x) => x.at === 0 && x.work.startsWith('j1/')));
});

test('chains get fresh work at their refresh interval until the next job', () => {
  const { s, sent, setJob, clock } = setup(1000);
  setJob('j1');
  s.newWork();
  clock.advance(2500);
  assert.is(sent.length, 12); // t=0, 1000, 2000
  setJob('j2');
  s.newWork(); // t=2500: refresh timers re-arm from here
  clock.advance(900);
  assert.is(sent.length, 16);
  clock.advance(100);
  assert.is(sent.length, 20);
  assert.ok(sent.slice(12).every((x) => x.work.startsWith('j2/')));
});

test('without pool work nothing is dispatched and no timer runs', () => {
  const { s, sent, clock } = setup();
  s.newWork();
  assert.is(sent.length, 0);
  assert.is(clock.pending, 0);
});

test('stop cancels every refresh timer', () => {
  const { s, setJob, clock } = setup();
  setJob('j1');
  s.newWork();
  assert.is(clock.pending, 4);
  s.stop();
  assert.is(clock.pending, 0);
});

test('the BM1485 refresh interval matches the stock formula (19.5 s at 384 MHz, 18.7 s at 400)', () => {
  assert.ok(Math.abs(bm1485RefreshMs(384, 3) - 19_500) < 100, String(bm1485RefreshMs(384, 3)));
  assert.ok(Math.abs(bm1485RefreshMs(400, 3) - 18_700) < 100, String(bm1485RefreshMs(400, 3)));
});

test('the job ring hands out ids in turn and forgets overwritten slots', () => {
  const ring = new JobRing<string>(4);
  const ids = ['a', 'b', 'c', 'd', 'e'].map((x) => ring.put(x));
  assert.equal(ids, [0, 1, 2, 3, 0]);
  assert.is(ring.get(0), 'e');
  assert.is(ring.get(1), 'b');
  assert.is(ring.get(9), undefined);
});

test.run();
