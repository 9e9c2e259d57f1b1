import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeTrial } from '../../../src/ota/commitProof';
import type { DaemonStatus } from '../../../src/core/minerApi';

function status(o: { accepted?: number; armed?: boolean; tripped?: boolean; thermal?: boolean; failed?: boolean; chips?: [number, number][] } = {}): DaemonStatus {
  return {
    components: [{ name: 'mining', critical: true, state: o.failed ? 'failed' : 'running' }],
    shares: { submitted: 0, accepted: o.accepted ?? 0, rejected: {}, not_submitted: {} },
    chains: (o.chips ?? [[72, 72]]).map(([f, e], index) => ({ index, chips_found: f, chips_expected: e })),
    ...(o.thermal === false ? {} : { thermal: { interlock: { armed: o.armed ?? true, trips: 0, last_trip: null }, boards: [{ state: o.tripped ? 'tripped' : 'ok' }] } }),
  } as unknown as DaemonStatus;
}
const j = (s: DaemonStatus, elapsedMs = 1000, pools = true, started = true) => judgeTrial({ status: s, started, poolsConfigured: pools, elapsedMs, windowMs: 60_000 });

test('commits with READY, armed interlock and an accepted share', () => {
  assert.is(j(status({ accepted: 1 })).verdict, 'commit');
});

test('waits without a share, without READY, with a tripped board or a disarmed interlock', () => {
  assert.equal(j(status()), { verdict: 'wait', missing: ['no accepted share yet'] });
  assert.is(j(status({ accepted: 1 }), 1000, true, false).verdict, 'wait');
  assert.is(j(status({ accepted: 1, tripped: true })).verdict, 'wait');
  assert.is(j(status({ accepted: 1, armed: false })).verdict, 'wait');
  assert.is(j(status({ accepted: 1, thermal: false })).verdict, 'wait');
  assert.is(j(status({ accepted: 1, failed: true })).verdict, 'wait');
});

test('without a pool a clean chain scan is the proof; a missing chip is not', () => {
  assert.is(j(status(), 1000, false).verdict, 'commit');
  assert.is(j(status({ chips: [[72, 72], [71, 72]] }), 1000, false).verdict, 'wait');
});

test('rolls back with what was missing once the window closed', () => {
  const v = j(status(), 60_000);
  assert.is(v.verdict, 'rollback');
  assert.match((v as { reason: string }).reason, 'no proof within 60 s: no accepted share yet');
});

test.run();
