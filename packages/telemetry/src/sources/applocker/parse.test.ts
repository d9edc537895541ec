import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGolden } from '../../test-support/golden.js';

for (const fixture of ['elastic-applocker-exe-8003.winlogbeat.json']) {
  test(`applocker: ${fixture} matches its reviewed golden output`, async () => {
    const items = await checkGolden('applocker', fixture);
    assert.ok(items.length > 0, 'the fixture yields output');
    assert.ok(
      items.every((i) => !('malformed' in (i as object))),
      'no malformed records in a real sample',
    );
  });
}
