import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REJECT_CLASSES, REJECT_TEXT_MAX, classifyReject, rejectText } from '../../../src/pools';
import { ShareStats } from '../../../src/pools/shareStats';

test('rejects are classified from the text first, then the classic code (stratum.md §1.4)', () => {
  const cases: [number | null, string, string][] = [
    [23, 'low difficulty share of 0.000123', 'low_difficulty'],
    [20, 'Low difficulty', 'low_difficulty'],
    [null, 'difficulty-too-low', 'low_difficulty'],
    [null, 'high-hash', 'low_difficulty'],
    [21, 'job not found', 'job_not_found'],
    [21, 'job not found (stale)', 'stale'],
    [null, 'stale-share', 'stale'],
    [20, 'invalid job id', 'job_not_found'],
    [22, 'duplicate share', 'duplicate'],
    [24, 'unauthorized worker', 'unauthorized'],
    [25, 'not subscribed', 'unauthorized'],
    [21, 'nope', 'job_not_found'],
    [23, 'rejected', 'low_difficulty'],
    [20, 'other/unknown', 'other'],
    [null, 'bad reply', 'other'],
    [null, 'disconnected: read idle timeout', 'other'],
  ];
  for (const [code, text, cls] of cases) assert.is(classifyReject(code, text), cls, `${code} ${text}`);
});

test('any text maps into the fixed set; the kept text is cut and has no control characters', () => {
  for (let i = 0; i < 500; i++) {
    const text = Buffer.from(Array.from({ length: i % 300 }, (_, k) => (i * 31 + k * 7) % 256)).toString('latin1');
    assert.ok((REJECT_CLASSES as readonly string[]).includes(classifyReject(i % 30, text)));
    const kept = rejectText(text);
    assert.ok(kept.length <= REJECT_TEXT_MAX);
    assert.not.match(kept, /[\u0000-\u001f]/);
  }
});

test('ShareStats sums work difficulty by result, stale inside rejected, and keeps the last reject', () => {
  const s = new ShareStats();
  s.accepted(64, 1); s.accepted(128, 2);
  s.rejected(128, 21, 'stale share', 3);
  s.rejected(128, 23, `low difficulty share of 1.5${'!'.repeat(400)}`, 4);
  const x = s.snapshot();
  assert.equal([x.accepted, x.rejected, x.stale], [2, 2, 1]);
  assert.equal([x.difficultyAccepted, x.difficultyRejected, x.difficultyStale], [192, 256, 128]);
  assert.equal([x.lastShareDifficulty, x.lastShareAtMs], [128, 2]);
  assert.is(x.rejectedBy.low_difficulty, 1);
  assert.is(x.lastReject!.class, 'low_difficulty');
  assert.is(x.lastReject!.text.length, REJECT_TEXT_MAX);
});

test.run();
