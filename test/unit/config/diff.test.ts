import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffSections } from '../../../src/config/diff';
import { validateConfigText } from '../../../src/config/validate';

const base = validateConfigText('{"version":1}', 'c').config;
const edit = (f: (c: typeof base) => void) => {
  const c = structuredClone(base);
  f(c);
  return c;
};

test('identical configs have no changed sections', () => {
  assert.equal(diffSections(base, structuredClone(base)), { sections: [], reloadable: [], needsRestart: [] });
});

test('a nested change marks its top-level section, split by reloadability', () => {
  const d = diffSections(base, edit((c) => {
    c.thermal.fan.maxDuty = 90;
    c.device.name = 'x';
    c.logging.levels = { chips: 'debug' };
  }));
  assert.equal(d.sections.sort(), ['device', 'logging', 'thermal']);
  assert.equal(d.reloadable.sort(), ['logging', 'thermal']);
  assert.equal(d.needsRestart, ['device']);
});

test('array changes (a pool added) are seen; key order is not a change', () => {
  const d = diffSections(base, edit((c) => c.pools.push({ name: 'a', url: 'stratum+tcp://h:1', user: 'u', password: 'x', priority: 0, allowRedirect: false })));
  assert.equal(d.sections, ['pools']);
  const reordered = JSON.parse(JSON.stringify({ ...base, thermal: { ...Object.fromEntries(Object.entries(base.thermal).reverse()) } }));
  assert.equal(diffSections(base, reordered).sections, []);
});

test.run();
