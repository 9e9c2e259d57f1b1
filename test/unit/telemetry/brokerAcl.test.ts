import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publishRefusal, roleOf, subscribeRefusal, type BrokerAclOptions } from '../../../src/telemetry/brokerAcl';

const o: BrokerAclOptions = { deviceTree: 'kabosu/m1', daemon: { username: 'd', password: 'dpw-123456' }, operator: { username: 'kabosu', password: 'op-secret-1' }, anonymousRead: true };

test('roles come from exact credentials; anything else is anonymous', () => {
  assert.is(roleOf(o, 'd', Buffer.from('dpw-123456')), 'daemon');
  assert.is(roleOf(o, 'kabosu', Buffer.from('op-secret-1')), 'operator');
  assert.is(roleOf(o, 'kabosu', Buffer.from('op-secret-')), 'anonymous');
  assert.is(roleOf(o, 'kabosu', Buffer.from('op-secret-12')), 'anonymous');
  assert.is(roleOf(o, 'd', Buffer.from('op-secret-1')), 'anonymous', 'no mixing of user and password');
  assert.is(roleOf(o, undefined, undefined), 'anonymous');
  assert.is(roleOf(o, 'kabosu', undefined), 'anonymous');
});

test('publish: daemon everything; operator commands and foreign topics but not the miner state; anonymous nothing', () => {
  for (const t of ['kabosu/m1/status', 'kabosu/m1/telemetry', 'x']) assert.is(publishRefusal(o, 'daemon', t), null);
  assert.is(publishRefusal(o, 'operator', 'kabosu/m1/cmd/pause'), null);
  assert.is(publishRefusal(o, 'operator', 'homeassistant/status'), null);
  assert.is(publishRefusal(o, 'operator', 'kabosu/m2/status'), null, 'another miner\'s tree is not ours to guard');
  for (const t of ['kabosu/m1/status', 'kabosu/m1', 'kabosu/m1/events', 'kabosu/m1/reply/identify']) assert.type(publishRefusal(o, 'operator', t), 'string', t);
  assert.is(publishRefusal(o, 'operator', 'kabosu/m1cmd/x'), null, 'a sibling name is outside the tree');
  for (const t of ['kabosu/m1/cmd/pause', 'homeassistant/status', 'kabosu/m1/status']) assert.match(publishRefusal(o, 'anonymous', t) ?? '', /anonymous/);
});

test('subscribe: anonymous only with anonymousRead', () => {
  assert.is(subscribeRefusal(o, 'anonymous'), null);
  assert.match(subscribeRefusal({ ...o, anonymousRead: false }, 'anonymous') ?? '', /anonymousRead/);
  assert.is(subscribeRefusal({ ...o, anonymousRead: false }, 'operator'), null);
});

test.run();
