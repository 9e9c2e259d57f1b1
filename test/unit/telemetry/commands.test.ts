import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { generateKeyPairSync, sign, randomBytes } from 'crypto';
import { KabosuError } from '../../../src/core/errors';
import { authorise, execute, parseCommand, replyPayload, ReplayGuard, ed25519Key, COMMAND_NAMES, type AuthPolicy } from '../../../src/telemetry/mqtt/commands';
import { control } from './fixture';
import { rejectsWith } from '../../helpers/rejects';

const code = (f: () => unknown): string => { try { f(); } catch (e) { assert.instance(e, KabosuError); return (e as KabosuError).code; } return 'none'; };

test('parses each command with its arguments', () => {
  assert.equal(parseCommand('power_target', '{"watts":1200,"transaction":"a1"}'), { cmd: { name: 'power_target', watts: 1200 }, transaction: 'a1' });
  assert.equal(parseCommand('power_target', '{"watts":null}').cmd, { name: 'power_target', watts: null });
  assert.equal(parseCommand('fan_mode', '{"mode":"manual","duty_pct":40}').cmd, { name: 'fan_mode', mode: 'manual', duty_pct: 40 });
  assert.equal(parseCommand('identify', '').cmd, { name: 'identify', seconds: 30 });
  assert.equal(parseCommand('mining', '{"on":false}').cmd, { name: 'mining', on: false });
  assert.equal(parseCommand('switch_pool', '{"pool":"backup"}').cmd, { name: 'switch_pool', pool: 'backup' });
  assert.equal(parseCommand('pause', Buffer.from('')).cmd, { name: 'pause', reason: 'mqtt' });
});

test('bad payloads get typed errors with reasons', () => {
  assert.is(code(() => parseCommand('nope', '')), 'KBS_E_TELEMETRY_UNKNOWN_COMMAND');
  assert.is(code(() => parseCommand('power_target', '{"watts":-1}')), 'KBS_E_TELEMETRY_BAD_COMMAND');
  assert.is(code(() => parseCommand('power_target', '[1]')), 'KBS_E_TELEMETRY_BAD_COMMAND');
  assert.is(code(() => parseCommand('fan_mode', '{"mode":"turbo"}')), 'KBS_E_TELEMETRY_BAD_COMMAND');
  assert.is(code(() => parseCommand('mining', '{not json')), 'KBS_E_TELEMETRY_BAD_COMMAND');
  assert.is(code(() => parseCommand('identify', 'x'.repeat(5000))), 'KBS_E_TELEMETRY_BAD_COMMAND');
  assert.is(code(() => parseCommand('switch_pool', '{"pool":"../etc"}')), 'KBS_E_TELEMETRY_BAD_COMMAND');
});

test('fuzz: any name and payload parse or throw KabosuError, never anything else', () => {
  fc.assert(fc.property(fc.oneof(fc.constantFrom(...COMMAND_NAMES), fc.string()), fc.oneof(fc.string(), fc.json(), fc.uint8Array().map((a) => Buffer.from(a))), (name, payload) => {
    try { parseCommand(name, payload as string | Buffer); } catch (e) { if (!(e instanceof KabosuError)) throw e; }
  }), { numRuns: 3000 });
});

const policy = (over: Partial<AuthPolicy> = {}): AuthPolicy => ({ allow: ['mining', 'identify'], publicKeys: [], maxSkewMs: 60000, ...over });

test('allow-list: mining covers pause/resume; others refused with a reason', () => {
  const g = new ReplayGuard(60000);
  authorise(parseCommand('pause', ''), policy(), [], g, 0);
  authorise(parseCommand('identify', ''), policy(), [], g, 0);
  try { authorise(parseCommand('restart', ''), policy(), [], g, 0); assert.unreachable(); } catch (e) {
    assert.is((e as KabosuError).code, 'KBS_E_TELEMETRY_UNAUTHORISED');
    assert.match((e as KabosuError).message, /restart is not in the allow-list/);
  }
});

test('ed25519: signed accepted once; unsigned, forged, stale and replayed refused', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const keys = [ed25519Key(raw)];
  const p = policy({ publicKeys: [raw] });
  const g = new ReplayGuard(60000);
  const mk = (ts: number, nonce: string, key = privateKey): string => {
    const body = { on: true, ts, nonce };
    const sig = sign(null, Buffer.from(`mining\n${JSON.stringify(body)}`), key).toString('base64');
    return JSON.stringify({ ...body, sig });
  };
  const now = 1_700_000_000_000;
  const msg = mk(now, 'nonce-0001');
  authorise(parseCommand('mining', msg), p, keys, g, now + 10);
  const why = (payload: string, t = now): string => { try { authorise(parseCommand('mining', payload), p, keys, g, t); return 'accepted'; } catch (e) { return (e as KabosuError).message; } };
  assert.match(why(msg), /replayed/);
  assert.match(why('{"on":true}'), /must be signed/);
  assert.match(why(mk(now - 120_000, 'nonce-0002')), /window/);
  assert.match(why(mk(now, 'nonce-0003', generateKeyPairSync('ed25519').privateKey)), /bad signature/);
  const tampered = JSON.parse(mk(now, 'nonce-0004')); tampered.on = false;
  assert.match(why(JSON.stringify(tampered)), /bad signature/);
  assert.is(why(mk(now, randomBytes(8).toString('hex'))), 'accepted');
  assert.is(code(() => ed25519Key('AAAA')), 'KBS_E_TELEMETRY_BAD_KEY');
});

test('execute goes through MinerControl; unplugged parts reject NOT_AVAILABLE', async () => {
  const seen: unknown[] = [];
  const c = control({ pause: async (r) => (seen.push(['pause', r]), 'paused'), setPowerTarget: async (w) => (seen.push(['pt', w]), `target ${w}`) });
  assert.is(await execute({ name: 'mining', on: false }, c), 'paused');
  assert.is(await execute({ name: 'power_target', watts: 900 }, c), 'target 900');
  assert.equal(seen, [['pause', 'mqtt'], ['pt', 900]]);
  await rejectsWith(execute({ name: 'restart' }, c) as Promise<unknown>, 'KBS_E_NOT_AVAILABLE');
  assert.equal((await execute({ name: 'status' }, c) as { state: string }).state, 'mining');
});

test('reply payloads carry code and reason, never a stack', () => {
  const r = replyPayload({ ok: false, err: new KabosuError('KBS_E_X', 'why', { hint: 'do' }) }, 7);
  assert.equal(r, { status: 'error', code: 'KBS_E_X', error: 'why', hint: 'do', transaction: 7 });
  const r2 = replyPayload({ ok: false, err: new Error('secret internals') });
  assert.not.match(JSON.stringify(r2), /secret internals/);
});

test.run();
