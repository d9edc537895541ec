/**
 * Oracle tests: every .evtx in Sigma's regression data against the Rust evtx_dump JSON exported next to it, and
 * the EVTX-to-MITRE-Attack set against its python-evtx JSON lines. Compared per record: EventID, Channel,
 * Provider (name and GUID), EventRecordID, TimeCreated, Computer and every EventData Data name/value, with only
 * the documented exporter differences normalised (see oracle-compare.ts). Skipped when the shared data is absent.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseEvtxAll, readEvtxFile } from './index.js';
import { type ComparableEvent, diffEvents, fromOracle, fromRecord, splitConcatenatedJson } from './oracle-compare.js';
import { exists, MITRE_EVTX, SIGMA_REGRESSION } from './test-paths.js';
import type { EvtxItem } from './types.js';

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

/**
 * Known errors in the oracle JSON, each checked against the raw bytes below: the oracle's value does not occur in
 * the .evtx as UTF-16 while ours does.
 */
const ORACLE_ERRATA: { file: string; field: string; ours: string; oracle: string }[] = [
  {
    file: 'rules/windows/process_creation/proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx',
    field: 'ParentCommandLine',
    ours: 'C:\\Windows\\Explorer.EXE',
    oracle: 'C:\\Windows\\Explorer.exe',
  },
];

function pairByRecordId(oracle: ComparableEvent[]): Map<string, ComparableEvent> {
  const m = new Map<string, ComparableEvent>();
  for (const o of oracle) m.set(`${o.Channel}|${o.EventRecordID}`, o);
  return m;
}

test('Sigma regression data: records match the evtx_dump JSON', { skip: !exists(SIGMA_REGRESSION) && 'no shared data' }, (t) => {
  const files = [...walk(SIGMA_REGRESSION)].filter((f) => f.endsWith('.evtx'));
  assert.ok(files.length >= 150, `expected ~202 regression .evtx files, found ${files.length}`);
  let records = 0;
  let matched = 0;
  let filesMatched = 0;
  let errata = 0;
  const failures: string[] = [];
  for (const file of files) {
    const rel = relative(SIGMA_REGRESSION, file);
    const bytes = readFileSync(file);
    const { records: recs, issues } = parseEvtxAll(bytes);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) failures.push(`${rel}: ${errors.length} error issues, first: ${errors[0]!.message}`);
    const oracle = splitConcatenatedJson(readFileSync(file.replace(/\.evtx$/, '.json'), 'utf8')).map((d) => fromOracle(d));
    let fileOk = errors.length === 0 && recs.length === oracle.length;
    if (recs.length !== oracle.length) failures.push(`${rel}: ${recs.length} records, oracle has ${oracle.length}`);
    const byId = pairByRecordId(oracle);
    for (const r of recs) {
      records++;
      const ours = fromRecord(r);
      const o = byId.get(`${ours.Channel}|${ours.EventRecordID}`);
      if (o === undefined) {
        failures.push(`${rel}: record ${ours.EventRecordID} not in oracle`);
        fileOk = false;
        continue;
      }
      let diffs = diffEvents(ours, o);
      for (const e of ORACLE_ERRATA.filter((x) => x.file === rel)) {
        const expected = `EventData.${e.field}: ours=${JSON.stringify(e.ours)} oracle=${JSON.stringify(e.oracle)}`;
        if (diffs.includes(expected)) {
          assert.ok(bytes.includes(Buffer.from(e.ours, 'utf16le')), `erratum: our value is in ${rel}`);
          assert.ok(!bytes.includes(Buffer.from(e.oracle, 'utf16le')), `erratum: oracle value is not in ${rel}`);
          diffs = diffs.filter((d) => d !== expected);
          errata++;
        }
      }
      if (diffs.length === 0) matched++;
      else {
        fileOk = false;
        failures.push(`${rel}: record ${ours.EventRecordID}: ${diffs.join('; ')}`);
      }
    }
    if (fileOk) filesMatched++;
  }
  t.diagnostic(
    `sigma regression: ${matched}/${records} records and ${filesMatched}/${files.length} files match (${errata} documented oracle errata)`,
  );
  assert.deepEqual(failures.slice(0, 20), []);
  assert.equal(matched, records);
});

interface MitreIndexEntry {
  source_path: string;
  jsonl: string | null;
  records_converted: number;
  records_failed: number;
}

test('EVTX-to-MITRE-Attack: records match python-evtx JSON lines', { skip: !exists(MITRE_EVTX) && 'no shared data' }, (t) => {
  const index = JSON.parse(readFileSync(join(MITRE_EVTX, 'index.json'), 'utf8')) as MitreIndexEntry[];
  const unparsed = new Set(
    readFileSync(join(MITRE_EVTX, 'UNPARSED_BY_python-evtx_and_libevtx.txt'), 'utf8')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  let files = 0;
  let compared = 0;
  let records = 0;
  let matched = 0;
  let filesMatched = 0;
  const failures: string[] = [];
  for (const e of index) {
    const path = join(MITRE_EVTX, 'evtx', e.source_path);
    if (unparsed.has(e.source_path) || e.jsonl === null || !exists(path)) continue;
    files++;
    const { records: recs, issues } = parseEvtxAll(readFileSync(path));
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) failures.push(`${e.source_path}: ${errors[0]!.message}`);
    const lines = readFileSync(join(MITRE_EVTX, e.jsonl), 'utf8').split('\n').filter(Boolean);
    const oracle = lines.map((l) => fromOracle(JSON.parse(l), { pythonEvtx: true }));
    let fileOk = errors.length === 0 && recs.length === oracle.length;
    if (recs.length !== oracle.length) failures.push(`${e.source_path}: ${recs.length} records, oracle has ${oracle.length}`);
    const byId = pairByRecordId(oracle);
    for (const r of recs) {
      records++;
      const ours = fromRecord(r, { pythonEvtx: true });
      const o = byId.get(`${ours.Channel}|${ours.EventRecordID}`);
      if (o === undefined) {
        fileOk = false;
        failures.push(`${e.source_path}: record ${ours.EventRecordID} not in oracle`);
        continue;
      }
      compared++;
      const diffs = diffEvents(ours, o, { pythonEvtx: true });
      if (diffs.length === 0) matched++;
      else {
        fileOk = false;
        failures.push(`${e.source_path}: record ${ours.EventRecordID}: ${diffs.join('; ')}`);
      }
    }
    if (fileOk) filesMatched++;
  }
  t.diagnostic(`evtx-to-mitre-attack: ${matched}/${records} records and ${filesMatched}/${files} files match python-evtx`);
  assert.ok(files >= 60, `expected the python-evtx JSON lines for most files, compared ${files}`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.equal(matched, compared);
});

test('EVTX-to-MITRE-Attack: the files python-evtx and libevtx cannot decode', {
  skip: !exists(MITRE_EVTX) && 'no shared data',
}, (t) => {
  const index = JSON.parse(readFileSync(join(MITRE_EVTX, 'index.json'), 'utf8')) as MitreIndexEntry[];
  const unparsed = readFileSync(join(MITRE_EVTX, 'UNPARSED_BY_python-evtx_and_libevtx.txt'), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  assert.equal(unparsed.length, 14);
  let decoded = 0;
  let total = 0;
  for (const rel of unparsed) {
    const { records, issues } = parseEvtxAll(readFileSync(join(MITRE_EVTX, 'evtx', rel)));
    const entry = index.find((e) => e.source_path === rel);
    assert.ok(entry, rel);
    // The converter that built index.json failed on exactly these records: the count is our oracle.
    assert.equal(records.length, entry.records_failed + entry.records_converted, rel);
    assert.deepEqual(
      issues.filter((i) => i.severity === 'error'),
      [],
      rel,
    );
    const ids = new Set<string>();
    let withId = 0;
    for (const r of records) {
      const c = fromRecord(r);
      assert.match(c.EventID, /^\d+$/, rel);
      assert.ok(c.Provider && c.Computer, rel);
      assert.match(c.TimeCreated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/, rel);
      // Event forwarding bookmark events (EventForwarder 111) carry no Channel or EventRecordID.
      if (c.EventRecordID !== '') {
        withId++;
        ids.add(`${c.Channel}|${c.EventRecordID}`);
      }
    }
    assert.equal(ids.size, withId, `${rel}: EventRecordIDs are unique`);
    if (records.length > 0) decoded++;
    total += records.length;
  }
  t.diagnostic(`decoded ${decoded}/14 files listed as unparsed by python-evtx and libevtx (${total} records)`);
  assert.equal(decoded, 14);
});

test('streaming reader over a multi-chunk file equals the in-memory parse', {
  skip: !exists(MITRE_EVTX) && 'no shared data',
}, async () => {
  const path = join(MITRE_EVTX, 'evtx', 'Antivirus', 'ID1151-Defender health status.evtx');
  const mem = parseEvtxAll(readFileSync(path));
  const streamed: EvtxItem[] = [];
  for await (const item of readEvtxFile(path)) streamed.push(item);
  assert.ok(new Set(mem.records.map((r) => r.chunk)).size > 1, 'file spans several chunks');
  assert.deepEqual(
    streamed.filter((i) => i.kind === 'record'),
    mem.records,
  );
});
