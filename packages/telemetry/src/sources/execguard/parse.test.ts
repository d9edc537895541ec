import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFiles } from '../../ingest/ingest.js';
import { checkGolden } from '../../test-support/golden.js';

test('execguard: agent-events.jsonl matches its reviewed golden output', async () => {
  const items = (await checkGolden('execguard', 'agent-events.jsonl')) as Array<{
    event: { execguard: { source_format: string }; log: { file: { path: string; line: number } } };
  }>;
  assert.equal(items.length, 3);
  // Native events are marked as ours; re-read events keep the format they were first read from…
  assert.deepEqual(
    items.map((i) => i.event.execguard.source_format),
    ['execguard', 'execguard', 'auditd'],
  );
  // …and the location of this reading replaces the one they carried.
  assert.deepEqual(
    items.map((i) => i.event.log.file.line),
    [1, 2, 3],
  );
  assert.ok(items.every((i) => i.event.log.file.path.endsWith('agent-events.jsonl')));
});

test('execguard: a schema-invalid event is reported with its line, the others are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-own-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(
    file,
    [
      '{"process":{"pid":1,"executable":"/usr/bin/id"}}',
      '{"process":{"pid":"not a number"}}',
      '{"process":{"pid":3,"executable":"/usr/bin/env"}}',
      '',
    ].join('\n'),
    'utf8',
  );
  const out: string[] = [];
  for await (const item of ingestFiles([file], { format: 'execguard' })) {
    if ('event' in item) out.push(`event ${item.event.process.executable} ${item.event.log?.file?.line}`);
    else out.push(`malformed ${item.malformed.line} ${/not a valid ExecEvent/.test(item.malformed.message)}`);
  }
  assert.deepEqual(out, ['event /usr/bin/id 1', 'malformed 2 true', 'event /usr/bin/env 3']);
});
