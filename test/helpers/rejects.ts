import * as assert from 'uvu/assert';
import { KabosuError } from '../../src/core/errors';

/** Awaits `p` and asserts it rejects with a KabosuError of this code. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<KabosuError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, code);
    return e as KabosuError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}
