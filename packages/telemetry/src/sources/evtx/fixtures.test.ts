/**
 * Golden outputs for the small fixture files in fixtures/ (reviewed by hand). Regenerate after an intended
 * rendering change with EVTX_UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseEvtxAll, readEvtxFile, readEvtxFileSync } from './index.js';
import { FIXTURES_DIR } from './test-paths.js';
import type { EvtxItem } from './types.js';

const fixtures = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.evtx'))
  .sort();

test('fixtures exist', () => {
  assert.ok(fixtures.length >= 3, `expected fixtures in ${FIXTURES_DIR}`);
});

for (const name of fixtures) {
  test(`golden output: ${name}`, () => {
    const path = join(FIXTURES_DIR, name);
    const got = parseEvtxAll(readFileSync(path), { xml: true });
    const goldenPath = join(FIXTURES_DIR, name.replace(/\.evtx$/, '.golden.json'));
    const text = `${JSON.stringify(got, null, 1)}\n`;
    if (process.env.EVTX_UPDATE_GOLDEN === '1') writeFileSync(goldenPath, text);
    assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(goldenPath, 'utf8')));
  });

  test(`file readers agree with in-memory parse: ${name}`, async () => {
    const path = join(FIXTURES_DIR, name);
    const mem = [...parseEvtxAll(readFileSync(path)).records];
    const sync = [...readEvtxFileSync(path)];
    const asyncItems: EvtxItem[] = [];
    for await (const item of readEvtxFile(path)) asyncItems.push(item);
    assert.deepEqual(
      sync.filter((i) => i.kind === 'record'),
      mem,
    );
    assert.deepEqual(asyncItems, sync);
  });
}

test('fixture contents: Sysmon 1 fields, typed values, 7-digit timestamps', () => {
  const { records, issues } = parseEvtxAll(readFileSync(join(FIXTURES_DIR, 'sysmon-1-process-create.evtx')));
  assert.deepEqual(issues, []);
  assert.equal(records.length, 2);
  const r = records[0]!;
  assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  const ev = r.event.Event as Record<string, Record<string, unknown>>;
  const sys = ev.System!;
  assert.equal(sys.EventID, 1);
  assert.equal(sys.Channel, 'Microsoft-Windows-Sysmon/Operational');
  assert.deepEqual(sys.Provider, { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' });
  assert.deepEqual(sys.TimeCreated, { SystemTime: r.timestamp });
  assert.equal(sys.Correlation, null);
  const data = (ev.EventData as { Data: Record<string, unknown> }).Data;
  assert.equal(data.ProcessId, 6180);
  assert.equal(data.LogonId, '0x33e8d150');
  assert.match(String(data.CommandLine), /SnippingTool\.exe" ms-screensketch:edit\?&filePath=/);
});

test('fixture contents: UserData kept, plain (template-less) BinXML, string arrays', () => {
  const wmi = parseEvtxAll(readFileSync(join(FIXTURES_DIR, 'wmi-5858-userdata.evtx')));
  const ud = (wmi.records[0]!.event.Event as Record<string, unknown>).UserData as Record<string, Record<string, unknown>>;
  assert.equal(ud.Operation_ClientFailure!.ClientProcessId, 25920);
  assert.equal(ud.Operation_ClientFailure!.xmlns, 'http://manifests.microsoft.com/win/2006/windows/WMI');

  const plain = parseEvtxAll(readFileSync(join(FIXTURES_DIR, 'security-4656-no-templates.evtx')));
  assert.equal(plain.issues.length, 0);
  assert.equal(plain.records.length, 29);
  const sys = (plain.records[0]!.event.Event as Record<string, Record<string, unknown>>).System!;
  assert.deepEqual(sys.EventID, 4656);

  const ps = parseEvtxAll(readFileSync(join(FIXTURES_DIR, 'powershell-800-string-array.evtx')));
  const arrays = ps.records
    .map((r) => (r.event.Event as Record<string, Record<string, unknown>>).EventData?.DataValues)
    .filter((v) => Array.isArray(v));
  assert.ok(arrays.length > 0, 'PowerShell 800 events carry a UTF-16 string array');
  assert.ok(arrays.every((v) => Array.isArray((v as unknown[])[0])));
});
