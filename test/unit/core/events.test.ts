import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TypedEmitter } from '../../../src/core/events';

interface Ev {
  tick: number;
  name: string;
}

test('listeners receive payloads in registration order', () => {
  const bus = new TypedEmitter<Ev>();
  const seen: string[] = [];
  bus.on('tick', (n) => seen.push(`a${n}`));
  bus.on('tick', (n) => seen.push(`b${n}`));
  bus.emit('tick', 1);
  assert.equal(seen, ['a1', 'b1']);
});

test('off(owner) removes only that owner', () => {
  const bus = new TypedEmitter<Ev>();
  const seen: string[] = [];
  const owner = {};
  bus.on('name', (s) => seen.push(`owned:${s}`), owner);
  bus.on('name', (s) => seen.push(`free:${s}`));
  bus.off(owner);
  bus.emit('name', 'x');
  assert.equal(seen, ['free:x']);
});

test('once fires a single time and next() resolves with the payload', async () => {
  const bus = new TypedEmitter<Ev>();
  let count = 0;
  bus.once('tick', () => count++);
  const p = bus.next('tick');
  bus.emit('tick', 7);
  bus.emit('tick', 8);
  assert.is(count, 1);
  assert.is(await p, 7);
});

test('listener errors propagate unless the bus isolates them', () => {
  const strict = new TypedEmitter<Ev>();
  strict.on('tick', () => {
    throw new Error('boom');
  });
  assert.throws(() => strict.emit('tick', 1), /boom/);
  const caught: unknown[] = [];
  const isolated = new TypedEmitter<Ev>((_e, err) => caught.push(err));
  isolated.on('tick', () => {
    throw new Error('boom');
  });
  isolated.emit('tick', 1);
  assert.is(caught.length, 1);
});

test.run();
