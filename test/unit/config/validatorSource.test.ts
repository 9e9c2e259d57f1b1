import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { GENERATED_FILE, generateValidatorSource } from '../../../src/config/validatorSource';
import { validatorKind, validateConfigText } from '../../../src/config/validate';

test('the committed pre-compiled validator is current (regenerate: node -r tsx/cjs src/config/validatorSource.ts)', () => {
  assert.fixture(readFileSync(GENERATED_FILE, 'utf8'), generateValidatorSource());
});

test('the daemon uses the pre-compiled validator, and it applies defaults and reports errors', () => {
  assert.is(validatorKind(), 'generated');
  assert.is(validateConfigText('{"version":1}', 'c').config.api.cgminer.port, 4028);
  assert.throws(() => validateConfigText('{"version":1,"zz":1}', 'c'));
});

test.run();
