import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGolden } from '../../test-support/golden.js';

for (const fixture of ['message-json-4688.json', 'nxlog-4688.json', 'security-4688-process-create.evtx']) {
  test(`security-4688: ${fixture} matches its reviewed golden output`, async () => {
    const items = await checkGolden('security-4688', fixture);
    assert.ok(items.length > 0, 'the fixture yields output');
    assert.ok(
      items.every((i) => !('malformed' in (i as object))),
      'no malformed records in a real sample',
    );
  });
}
