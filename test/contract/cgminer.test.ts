import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRequest } from '../../src/api/cgminer/request';
import { answer } from '../../src/api/cgminer/commands';
import type { Personality } from '../../src/api/cgminer/render';
import { l3Status, controlFor } from '../unit/api/cgminerFixture';

/**
 * Conformance with the real Antminer L3+ replies in shared/reference/cgminer-api.md [C6]: the
 * antminer-l3plus personality must carry the stock key names in stock order with stock JSON
 * types and MH/s under the GHS keys; kabosu keeps the envelope and puts an explicit unit on rates.
 */
const CAPTURE_VERSION = { CGMiner: '4.9.0 rwglr', API: '3.1', Miner: '1.0.1.3', CompileTime: 'Fri 11 Jun 15:32:42 MSK 2021', Type: 'Antminer L3+ (024)' };
const CAPTURE_SUMMARY = { Elapsed: 384063, 'GHS 5s': '412.925', 'GHS av': 411.85, 'Found Blocks': 0, Getworks: 37619, Accepted: 46423, Rejected: 530, 'Hardware Errors': 338, Utility: 7.25, Discarded: 226550, Stale: 21, 'Get Failures': 169, 'Local Work': 338070, 'Remote Failures': 4, 'Network Blocks': 2603, 'Total MH': 158174645.0, 'Work Utility': 377447.21, 'Difficulty Accepted': 2397855744.0, 'Difficulty Rejected': 18202624.0, 'Difficulty Stale': 0.0, 'Best Share': 7510923133, 'Device Hardware%': 0.0, 'Device Rejected%': 0.7534, 'Pool Rejected%': 0.7534, 'Pool Stale%': 0.0, 'Last getwork': 1633279119 };
const CAPTURE_POOL = { POOL: 0, URL: 'stratum+tcp://litecoinpool.org:3333', Status: 'Alive', Priority: 0, Quota: 1, 'Long Poll': 'N', Getworks: 19515, Accepted: 47169, Rejected: 331, Discarded: 250226, Stale: 16, 'Get Failures': 2, 'Remote Failures': 0, User: 'user.4', 'Last Share Time': '0:00:06', Diff: '65.5K', 'Diff1 Shares': 10494726, 'Proxy Type': '', Proxy: '', 'Difficulty Accepted': 2659909632.0, 'Difficulty Rejected': 18219008.0, 'Difficulty Stale': 0.0, 'Last Share Difficulty': 65536.0, 'Has Stratum': true, 'Stratum Active': true, 'Stratum URL': 'litecoinpool.org', 'Has GBT': false, 'Best Share': 7510923133, 'Pool Rejected%': 0.6803, 'Pool Stale%': 0.0 };
const STATS1_KEYS = ['STATS', 'ID', 'Elapsed', 'Calls', 'Wait', 'Max', 'Min', 'GHS 5s', 'GHS av', 'miner_count', 'frequency', 'fan_num',
  'frequency1', 'frequency2', 'frequency3', 'frequency4', 'fan1', 'fan2', 'temp_num', 'temp1', 'temp2', 'temp3', 'temp4', 'temp2_1', 'temp2_2', 'temp2_3', 'temp2_4',
  'temp31', 'temp32', 'temp33', 'temp34', 'temp4_1', 'temp4_2', 'temp4_3', 'temp4_4', 'temp_max', 'Device Hardware%', 'no_matching_work',
  'chain_acn1', 'chain_acn2', 'chain_acn3', 'chain_acn4', 'chain_acs1', 'chain_acs2', 'chain_acs3', 'chain_acs4', 'chain_hw1', 'chain_hw2', 'chain_hw3', 'chain_hw4',
  'chain_rate1', 'chain_rate2', 'chain_rate3', 'chain_rate4', 'chain_power1', 'chain_power2', 'chain_power3', 'chain_power4', 'chain_power', 'voltage1', 'voltage2', 'voltage3', 'voltage4'];
const STATS1_TYPES: Record<string, string> = { 'GHS 5s': 'string', 'GHS av': 'number', frequency: 'string', frequency1: 'string', fan1: 'number', temp1: 'number', temp2_1: 'number', chain_acn1: 'number', chain_acs2: 'string', chain_rate2: 'string', chain_power: 'number', voltage1: 'number' };

const types = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v]));

async function ask(cmd: string, p: Personality, opts = { thermal: true, power: true }) {
  const { control } = controlFor(l3Status(opts));
  return (await answer(parseRequest(Buffer.from(JSON.stringify({ command: cmd }))), { mayWrite: false, tokenOk: true }, { control, personality: p, nowS: 1633279121 })) as Record<string, any>;
}

test('l3plus version: stock keys and order, Type "Antminer L3+"', async () => {
  const v = (await ask('version', 'antminer-l3plus')).VERSION[0];
  assert.equal(Object.keys(v), Object.keys(CAPTURE_VERSION));
  assert.equal(types(v), types(CAPTURE_VERSION));
  assert.is(v.Type, 'Antminer L3+');
  assert.is(v.Type.split(' (')[0].toUpperCase(), 'ANTMINER L3+'); // pyasic model key
});

test('l3plus summary: stock keys, order and types; GHS keys carry MH/s', async () => {
  const s = (await ask('summary', 'antminer-l3plus')).SUMMARY[0];
  assert.equal(Object.keys(s), Object.keys(CAPTURE_SUMMARY));
  assert.equal(types(s), types(CAPTURE_SUMMARY));
  assert.is(s['GHS 5s'], '415.070'); // 415.07 MH/s from the fixture, not GH/s
  assert.is(s['GHS av'], 415.07);
});

test('l3plus pools: stock keys, order and types', async () => {
  const p = (await ask('pools', 'antminer-l3plus')).POOLS;
  assert.equal(Object.keys(p[0]), Object.keys(CAPTURE_POOL));
  assert.equal(types(p[0]), types(CAPTURE_POOL));
  assert.equal([p[0].Status, p[0]['Stratum Active'], p[0]['Stratum URL'], p[1]['Stratum Active']], ['Alive', true, 'litecoinpool.org', false]);
  assert.equal([p[0].User, p[1].User], ['user.4', 'user.5']);
  assert.not.ok(JSON.stringify(p).includes('hunter2'), 'pool passwords never appear');
});

test('l3plus stats: header + miner record with stock keys, order, types and units', async () => {
  const st = (await ask('stats', 'antminer-l3plus')).STATS;
  assert.is(st.length, 2);
  assert.equal(Object.keys(st[0]), ['CGMiner', 'Miner', 'CompileTime', 'Type']);
  assert.equal(Object.keys(st[1]), STATS1_KEYS);
  for (const [k, t] of Object.entries(STATS1_TYPES)) assert.is(typeof st[1][k], t, k);
  assert.equal([st[1].fan1, st[1].fan2, st[1].temp1, st[1].temp2_1, st[1].fan_num], [3180, 3090, 37, 46, 2]);
  assert.equal([st[1].chain_acn1, st[1].chain_acn3, st[1].chain_acn4], [72, 70, 0]);
  assert.equal([st[1].chain_rate1, st[1].chain_rate4, st[1].chain_acs4], ['138.50', '', '']);
  assert.is(st[1].miner_count, 3);
});

test('l3plus stats without thermal/power: stock placeholders (0), no power keys', async () => {
  const st = (await ask('stats', 'antminer-l3plus', { thermal: false, power: false })).STATS[1];
  assert.equal([st.fan_num, st.fan1, st.temp1, st.temp2_1, st.temp_max], [0, 0, 0, 0, 0]);
  assert.not.ok('chain_power' in st);
});

test('kabosu personality: same envelope, explicit units, null for unknown, extra sections', async () => {
  for (const cmd of ['summary', 'stats', 'devs']) {
    const r = await ask(cmd, 'kabosu', { thermal: false, power: false });
    assert.equal(Object.keys(r.STATUS[0]), ['STATUS', 'When', 'Code', 'Msg', 'Description']);
    const rec = cmd === 'stats' ? r.STATS[1] : r[cmd.toUpperCase()][0];
    assert.not.ok(Object.keys(rec).some((k) => k.startsWith('GHS')), cmd);
    assert.is(rec.rate_unit, 'MH', cmd);
  }
  const st = await ask('stats', 'kabosu', { thermal: false, power: false });
  assert.equal([st.STATS[1].temp1, st.STATS[1].fan1], [null, null]);
  assert.equal(Object.keys(st), ['STATUS', 'STATS', 'KABOSU', 'CHIPS', 'TUNER', 'THERMAL', 'id']);
  assert.is(st.CHIPS[0].rate_unit, 'MH');
  const withT = await ask('stats', 'kabosu');
  assert.is(withT.THERMAL[0]['Target C'], 70);
  assert.is((await ask('version', 'kabosu')).VERSION[0].Type.split(' (')[0], 'Antminer L3+');
});

test.run();
