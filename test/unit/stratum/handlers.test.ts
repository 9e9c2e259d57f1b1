import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtocolError } from '../../../src/core/errors';
import { parseMessage } from '../../../src/stratum/v1/messages';
import {
  BAD_PARAMS, MAX_MESSAGE_CHARS, MAX_RECONNECT_WAIT_MS, SERVER_HANDLERS, authorizeOutcome, extranonceSubscribeOutcome, serverHandler,
  submitOutcome, submitParams, subscribeOutcome, subscribeParams, suggestDifficultyParams, configureParams, configureOutcome, MIN_POOL_DIFFICULTY,
  type HandlerContext, type HandlerEffect,
} from '../../../src/stratum/v1/handlers';

const ctx = (over: Partial<HandlerContext> = {}): HandlerContext => ({
  nextDifficulty: 65536, extranonce1: Buffer.from('f8002c90', 'hex'), extranonce2Size: 4,
  endpoint: { host: 'pool.example.com', port: 3333, tls: false }, allowRedirectHost: false, agent: 'kabosu/test', ...over,
});

/** stratum.md §1.7-A (SE 22929) and §1.7-B (litecoinpool.org capture). */
const NOTIFY_A = ['b3ba', '7dcf1304b04e79024066cd9481aa464e2fe17966e19edf6f33970e1fe0b60277',
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff270362f401062f503253482f049b8f175308',
  '0d2f7374726174756d506f6f6c2f000000000100868591052100001976a91431482118f1d7504daf1c001cbfaf91ad580d176d88ac00000000',
  ['57351e8569cb9d036187a79fd1844fd930c1309efcd16c46af9bb9713b6ee734', '936ab9c33420f187acae660fcdb07ffdffa081273674f0f41e6ecc1347451d23'],
  '00000002', '1b44dfdb', '53178f9b', true];
const LINE_B = '{"id":null,"method":"mining.notify","params":["6a9e","8a87d3a378333404cc4760dfbfa5f96261159438dcf7cdf0d13ce8addc1fe1e2","01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff44033faf14045a678e2d2cfabe6d6d73d8d81be9caae63e0520e1c0a8da19156f4c637050c1f1d1ae585d6a8247b674000000000000000042f4c502f08","ffffffff0268e41d95000000001976a91457757ed2ecf2052ff3126c397aca7defb9ca2cec88ac0000000000000000266a24aa21a9ed52218afaf84b7392272c624581d43836c581d7dc3d54f923441dbe18e461c6e600000000",["913e9ac4c1ddf38f82030c1f9da0e054a61b0211673afd5ef19c16bd9e9a3757","2a250b9a37db4b7024b9fde5950927111c419e312da9293e31d1c98e51e3ab66","27a98561001b0e466f99ee866cae0a43a3eb72bba1166596f7e4f74f645aae39","1e64c69c1a674dc484f2be95354a672c87debbfce9f40246bb5bbd492d9624d5","ef06ed2044c00d146b9924c3d9130b25b7964827d43dc1feb8ed35ace07d788d"],"20000000","1a048442","5a678e2d",true]}';

function run(method: string, params: unknown[], id: number | string | null = null, c = ctx()): HandlerEffect[] {
  return SERVER_HANDLERS[method](params, id, c);
}

/** The handler throws a ProtocolError naming the method and, when given, the problem. */
function refuses(method: string, params: unknown[], code = BAD_PARAMS, problem?: RegExp, c = ctx()): void {
  try { run(method, params, null, c); } catch (e) {
    assert.instance(e, ProtocolError);
    assert.is((e as ProtocolError).code, code);
    assert.ok((e as Error).message.startsWith(`${method}: `), (e as Error).message);
    if (problem) assert.match((e as Error).message, problem);
    return;
  }
  assert.unreachable(`${method} accepted ${JSON.stringify(params).slice(0, 80)}`);
}

test('table: one handler per server->client method; no prototype names', () => {
  assert.equal(Object.keys(SERVER_HANDLERS).sort(), ['client.get_version', 'client.reconnect', 'client.show_message', 'mining.notify', 'mining.set_difficulty', 'mining.set_extranonce']);
  for (const m of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'mining.subscribe']) assert.is(serverHandler(m), undefined);
  assert.is(serverHandler('mining.notify'), SERVER_HANDLERS['mining.notify']);
});

test('mining.notify: §1.7-A job takes the difficulty and extranonce in force', () => {
  const [e] = run('mining.notify', NOTIFY_A);
  assert.is(e.kind, 'job');
  if (e.kind !== 'job') return;
  assert.equal([e.job.jobId, e.job.version, e.job.nbits, e.job.ntime, e.job.cleanJobs, e.job.difficulty], ['b3ba', 2, 0x1b44dfdb, 0x53178f9b, true, 65536]);
  assert.is(e.job.merkleBranch.length, 2);
  assert.is(e.job.extranonce1.toString('hex'), 'f8002c90');
});

test('mining.notify: §1.7-B litecoinpool.org capture line', () => {
  const r = parseMessage(LINE_B);
  assert.ok(r.ok && r.msg.kind === 'request');
  if (!r.ok || r.msg.kind !== 'request') return;
  const [e] = run(r.msg.method, r.msg.params, r.msg.id, ctx({ extranonce1: Buffer.from('16000a2a', 'hex') }));
  assert.ok(e.kind === 'job' && e.job.jobId === '6a9e' && e.job.merkleBranch.length === 5 && e.job.nbits === 0x1a048442);
});

test('mining.notify: each invalid shape is a typed error naming the field', () => {
  const code = 'KBS_E_STRATUM_BAD_NOTIFY';
  refuses('mining.notify', [], code, /array of 9/);
  refuses('mining.notify', NOTIFY_A.slice(0, 8), code);
  const with_ = (i: number, v: unknown) => NOTIFY_A.map((x, j) => (j === i ? v : x));
  refuses('mining.notify', with_(0, ''), code, /job_id/);
  refuses('mining.notify', with_(0, 7), code, /job_id/);
  refuses('mining.notify', with_(1, 'abcd'), code, /prevhash/);
  refuses('mining.notify', with_(2, 'xyz'), code, /coinb1/);
  refuses('mining.notify', with_(3, '0'), code, /coinb2/);
  refuses('mining.notify', with_(4, 'nope'), code, /merkle_branch/);
  refuses('mining.notify', with_(4, ['00']), code, /merkle_branch\[0\]/);
  refuses('mining.notify', with_(5, '2'), code, /version/);
  refuses('mining.notify', with_(6, null), code, /nbits/);
  refuses('mining.notify', with_(7, '53178f9'), code, /ntime/);
  refuses('mining.notify', with_(8, 'true'), code, /clean_jobs/);
});

test('mining.set_difficulty: fractional and large accepted; tiny clamped; zero, negative, non-finite, strings, > 2^64 refused as unusable', () => {
  assert.equal(run('mining.set_difficulty', [0.001]), [{ kind: 'difficulty', difficulty: 0.001 }]);
  assert.equal(run('mining.set_difficulty', [65536]), [{ kind: 'difficulty', difficulty: 65536 }]);
  assert.equal(run('mining.set_difficulty', [2 ** 64]), [{ kind: 'difficulty', difficulty: 2 ** 64 }]);
  for (const d of [1e-300, 5e-324, 1e-6]) assert.equal(run('mining.set_difficulty', [d]), [{ kind: 'difficulty', difficulty: MIN_POOL_DIFFICULTY, clampedFrom: d }]);
  for (const p of [[], [0], [-1], [-0], ['65536'], [null], [[1]], [1e400], [-1e400], [NaN], [true], [{}]]) {
    const [e] = run('mining.set_difficulty', p);
    assert.is(e.kind, 'badDifficulty', JSON.stringify(p));
    if (e.kind === 'badDifficulty') assert.match(e.reason, /positive finite number/);
  }
  for (const d of [1e300, 1.7e308, Number.MAX_VALUE, 2 ** 64 * 1.0000001]) {
    const [e] = run('mining.set_difficulty', [d]);
    assert.ok(e.kind === 'badDifficulty' && /no share could ever be found/.test(e.reason) && e.value === String(d), JSON.stringify(e));
  }
});

test('mining.notify after an unusable difficulty: an unusableJob effect naming the reason, not a job', () => {
  assert.equal(run('mining.notify', NOTIFY_A, null, ctx({ unusableDifficulty: 'too big' })), [{ kind: 'unusableJob', jobId: 'b3ba', reason: 'too big' }]);
  refuses('mining.notify', ['x'], 'KBS_E_STRATUM_BAD_NOTIFY', undefined, ctx({ unusableDifficulty: 'too big' }));
});

test('mining.configure: minimum-difficulty only (no version-rolling for scrypt); any reply shape is advisory', () => {
  assert.equal(configureParams({ minimumDifficulty: 2048 }), [['minimum-difficulty'], { 'minimum-difficulty.value': 2048 }]);
  for (const d of [0, -1, NaN, Infinity]) assert.throws(() => configureParams({ minimumDifficulty: d }), (e: Error & { code?: string }) => e.code === 'KBS_E_STRATUM_BAD_MIN_DIFFICULTY');
  assert.equal(configureOutcome(resp({ 'minimum-difficulty': true })), { minimumDifficulty: true });
  assert.equal(configureOutcome(resp({})), { minimumDifficulty: false, reason: 'extension not known to the pool' });
  assert.equal(configureOutcome(resp({ 'minimum-difficulty': false })), { minimumDifficulty: false, reason: 'refused (false)' });
  assert.equal(configureOutcome(resp(null)), { minimumDifficulty: false, reason: 'null result' });
  assert.equal(configureOutcome(resp(null, { code: 20, message: 'Unknown method' })), { minimumDifficulty: false, reason: 'error: Unknown method' });
  assert.equal(configureOutcome(resp([1])), { minimumDifficulty: false, reason: 'bad result' });
});

test('mining.set_extranonce: new extranonce for the next notify; the job in hand keeps its own', () => {
  const c = ctx();
  const [job] = run('mining.notify', NOTIFY_A, null, c);
  const [e] = run('mining.set_extranonce', ['0a0b0c0d0e', 8], null, c);
  assert.equal(e, { kind: 'extranonce', extranonce1: Buffer.from('0a0b0c0d0e', 'hex'), extranonce2Size: 8 });
  assert.ok(job.kind === 'job' && job.job.extranonce1.toString('hex') === 'f8002c90');
  // the same job id again after the change takes the new extranonce
  const [again] = run('mining.notify', NOTIFY_A, null, ctx({ extranonce1: Buffer.from('0a0b0c0d0e', 'hex'), extranonce2Size: 8 }));
  assert.ok(again.kind === 'job' && again.job.jobId === 'b3ba' && again.job.extranonce1.toString('hex') === '0a0b0c0d0e' && again.job.extranonce2Size === 8);
  assert.equal(run('mining.set_extranonce', ['', 4]), [{ kind: 'extranonce', extranonce1: Buffer.alloc(0), extranonce2Size: 4 }]);
});

test('mining.set_extranonce: invalid shapes', () => {
  refuses('mining.set_extranonce', [], BAD_PARAMS, /extranonce1/);
  refuses('mining.set_extranonce', [42, 4], BAD_PARAMS, /extranonce1/);
  refuses('mining.set_extranonce', ['abc', 4], BAD_PARAMS, /extranonce1/);
  refuses('mining.set_extranonce', ['zz', 4], BAD_PARAMS, /extranonce1/);
  refuses('mining.set_extranonce', ['00'.repeat(33), 4], BAD_PARAMS, /extranonce1/);
  for (const s of [undefined, 0, 17, 4.5, '4', null]) refuses('mining.set_extranonce', ['00', s], BAD_PARAMS, /extranonce2_size/);
});

test('client.reconnect: host/port null = unchanged; port as string; wait honoured in ms and capped', () => {
  assert.equal(run('client.reconnect', []), [{ kind: 'reconnect', host: 'pool.example.com', port: 3333, waitMs: 0 }]);
  assert.equal(run('client.reconnect', [null, 3334, 5]), [{ kind: 'reconnect', host: 'pool.example.com', port: 3334, waitMs: 5000 }]);
  assert.equal(run('client.reconnect', ['POOL.example.com', '4444', '1.5']), [{ kind: 'reconnect', host: 'POOL.example.com', port: 4444, waitMs: 1500 }]);
  assert.equal(run('client.reconnect', ['', null, 0]), [{ kind: 'reconnect', host: 'pool.example.com', port: 3333, waitMs: 0 }]);
  assert.equal(run('client.reconnect', [null, null, 86_400]), [{ kind: 'reconnect', host: 'pool.example.com', port: 3333, waitMs: MAX_RECONNECT_WAIT_MS }]);
});

test('client.reconnect: another host refused unless allowed; refusal changes nothing', () => {
  const [r] = run('client.reconnect', ['evil.example.net', 3333, 0]);
  assert.is(r.kind, 'refused');
  assert.ok(r.kind === 'refused' && r.method === 'client.reconnect' && r.host === 'evil.example.net');
  assert.equal(run('client.reconnect', ['other.example.net', 25, 2], null, ctx({ allowRedirectHost: true })), [{ kind: 'reconnect', host: 'other.example.net', port: 25, waitMs: 2000 }]);
});

test('client.reconnect: invalid shapes', () => {
  for (const h of [42, true, ['a'], 'a b', 'h/x', 'x'.repeat(254)]) refuses('client.reconnect', [h, 3333, 0], BAD_PARAMS, /host/);
  for (const p of [0, 65536, 99999, -1, 1.5, '', 'abc', '3333x', true, {}]) refuses('client.reconnect', [null, p, 0], BAD_PARAMS, /port/);
  for (const w of [-1, 'soon', true, [], Infinity]) refuses('client.reconnect', [null, null, w], BAD_PARAMS, /wait_seconds/);
});

test('client.get_version: reply with the agent only when asked with an id', () => {
  assert.equal(run('client.get_version', [], 9), [{ kind: 'reply', id: 9, result: 'kabosu/test', error: null }]);
  assert.equal(run('client.get_version', [], null), []);
});

test('client.show_message: message, reply true with an id, capped; non-string refused', () => {
  assert.equal(run('client.show_message', ['hello miners'], 'x1'), [{ kind: 'message', text: 'hello miners' }, { kind: 'reply', id: 'x1', result: true, error: null }]);
  const [m] = run('client.show_message', ['y'.repeat(5000)]);
  assert.ok(m.kind === 'message' && m.text.length === MAX_MESSAGE_CHARS);
  for (const p of [[], [5], [null], [{ text: 'x' }]]) refuses('client.show_message', p, BAD_PARAMS, /text/);
});

const resp = (result: unknown, error: { code: number | null; message: string } | null = null) => ({ kind: 'response' as const, id: 1, result, error });

test('mining.subscribe: params with and without resume; §1.7 results; bad results', () => {
  assert.equal(subscribeParams('kabosu/1', undefined), ['kabosu/1']);
  assert.equal(subscribeParams('kabosu/1', 'ae6812eb'), ['kabosu/1', 'ae6812eb']);
  const a = subscribeOutcome(resp([['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f'], 'f8002c90', 4]));
  assert.equal(a, { ok: true, sub: { sessionId: 'ae6812eb4cd7735a302a8a9dd95cf71f', extranonce1: Buffer.from('f8002c90', 'hex'), extranonce2Size: 4 } });
  const b = subscribeOutcome(resp([[['mining.notify', '16000a2a7fc09fff'], ['mining.set_difficulty', '16000a2a7fc09fff2']], '16000a2a', 4]));
  assert.ok(b.ok && b.sub.sessionId === '16000a2a7fc09fff');
  for (const bad of [null, [], [[], 'f8002c90'], [[], 'xyz', 4], [[], '00', 0], [[], '00', 17], [[], 12, 4]]) assert.equal(subscribeOutcome(resp(bad)), { ok: false, reason: 'subscribe failed: bad result' });
  assert.equal(subscribeOutcome(resp(null, { code: 20, message: 'nope' })), { ok: false, reason: 'subscribe failed: nope' });
});

test('mining.authorize / submit / extranonce.subscribe / suggest_difficulty outcomes', () => {
  assert.equal(authorizeOutcome(resp(true), 'u'), { ok: true });
  assert.equal(authorizeOutcome(resp(false), 'u'), { ok: false, reason: 'authorize failed for u: refused' });
  assert.equal(authorizeOutcome(resp(null, { code: 24, message: 'unauthorized worker' }), 'u.w'), { ok: false, reason: 'authorize failed for u.w: unauthorized worker' });
  assert.equal(submitParams('w', { jobId: 'b3ba', extranonce2: '00000002', ntime: '53178f9b', nonce: '000459db' } as never), ['w', 'b3ba', '00000002', '53178f9b', '000459db']);
  assert.equal(submitOutcome(resp(true), 12), { accepted: true, latencyMs: 12 });
  assert.equal(submitOutcome(resp(null, { code: 23, message: 'low difficulty share of 1' }), 5), { accepted: false, reason: 'low difficulty share of 1', code: 23, latencyMs: 5 });
  assert.equal(submitOutcome(resp(false), 1), { accepted: false, reason: 'rejected', code: null, latencyMs: 1 });
  assert.equal(submitOutcome(resp('yes'), 1), { accepted: false, reason: 'bad reply', code: null, latencyMs: 1 });
  assert.equal(extranonceSubscribeOutcome(resp(true)), { supported: true });
  assert.equal(extranonceSubscribeOutcome(resp(false)), { supported: false, reason: 'refused' });
  assert.equal(extranonceSubscribeOutcome(resp(null, { code: 20, message: 'Not supported.' })), { supported: false, reason: 'Not supported.' });
  assert.equal(suggestDifficultyParams(0.5), [0.5]);
  for (const d of [0, -1, NaN, Infinity]) assert.throws(() => suggestDifficultyParams(d), (e: Error & { code?: string }) => e.code === 'KBS_E_STRATUM_BAD_SUGGEST');
});

test.run();
