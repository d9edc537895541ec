import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGolden } from '../../test-support/golden.js';

for (const fixture of [
  'evtx-dump-sysmon-1.json',
  'message-json-sysmon-1-7.json',
  'nxlog-sysmon-1.json',
  'sysmon-1-process-create.evtx',
]) {
  test(`sysmon: ${fixture} matches its reviewed golden output`, async () => {
    const items = await checkGolden('sysmon', fixture);
    assert.ok(items.length > 0, 'the fixture yields output');
    assert.ok(
      items.every((i) => !('malformed' in (i as object))),
      'no malformed records in a real sample',
    );
  });
}
