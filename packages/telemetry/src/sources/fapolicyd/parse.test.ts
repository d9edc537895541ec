import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGolden } from '../../test-support/golden.js';

for (const fixture of ['decisions.log']) {
  test(`fapolicyd: ${fixture} matches its reviewed golden output`, async () => {
    const items = await checkGolden('fapolicyd', fixture);
    assert.ok(items.length > 0, 'the fixture yields output');
    assert.ok(
      items.every((i) => !('malformed' in (i as object))),
      'no malformed records in a real sample',
    );
  });
}
