/**
 * One fuzz test per parser, calling it directly (the file-level fuzz test in fuzz.test.ts goes through
 * format detection, which can route a mutated file away from the parser it came from). Each test mutates
 * the parser's real fixtures with a fixed seed — flipped characters, truncation, UTF-16 text read as UTF-8,
 * huge fields, wrong JSON types, deleted and duplicated slices — and checks that the parser never throws,
 * returns one of its documented results, produces JSON-serialisable events with a `process` object, and
 * stays within a time bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ExecEvent } from '@execguard/schema';
import { isObject, type JsonObject } from '../normalise/types.js';
import { splitWindowsCommandLine } from '../normalise/windows-args.js';
import { normaliseAppLocker } from '../sources/applocker/parse.js';
import { AuditAssembler, normaliseAuditEvent, parseAuditLine } from '../sources/auditd/parse.js';
import { normaliseExecGuard } from '../sources/execguard/parse.js';
import { parseFapolicydLine } from '../sources/fapolicyd/parse.js';
import { normaliseOsquery } from '../sources/osquery/parse.js';
import { normalisePowerShell } from '../sources/powershell/parse.js';
import { normaliseSecurity } from '../sources/security-4688/parse.js';
import { normaliseSysmon } from '../sources/sysmon/parse.js';
import { normaliseWdac } from '../sources/wdac/parse.js';
import { fromMessageJson, fromNxlog } from '../sources/windows/flat-json.js';
import { fromEventObject, type WinRecord } from '../sources/windows/record.js';
import { fromWdacCsvRow, splitCsvLine } from '../sources/windows/wdac-csv.js';
import { fromWinlogbeat } from '../sources/windows/winlogbeat.js';
import { parseEventXml } from '../sources/windows/xml.js';
import { srcDir } from '../test-support/golden.js';
import { jsonFlavour } from './detect.js';
import { FORMATS, type FormatName } from './formats.js';
import { ingestFiles } from './ingest.js';
import { jsonDocuments } from './json-docs.js';

const ROUNDS = 150;
const LOC = { file: 'fuzz', line: 1 };

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
type Rng = ReturnType<typeof rng>;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const NASTY = ['', '-', '\0', '\u202e', '"', '\\', '%%1936', '0x', 'ffffffff', '{', '}', '\r\n', '\ud800', 'é', ' '];

/** A text mutation: the kinds a damaged or mis-encoded log shows. */
function mutateText(s: string, r: Rng): string {
  const at = Math.floor(r() * (s.length + 1));
  switch (Math.floor(r() * 7)) {
    case 0: {
      const a = [...s];
      for (let i = 0; i < 1 + r() * 8; i++) a[Math.floor(r() * a.length)] = String.fromCharCode(Math.floor(r() * 0x3000));
      return a.join('');
    }
    case 1:
      return s.slice(0, at);
    case 2: // UTF-16LE bytes read as UTF-8/latin1: NULs between characters
      return Buffer.from(s, 'utf16le').toString('latin1');
    case 3:
      return s.slice(0, at) + 'A'.repeat(200_000 + Math.floor(r() * 100_000)) + s.slice(at);
    case 4:
      return s.slice(0, at) + s.slice(Math.floor(at / 2));
    case 5:
      return s.slice(0, at) + pick(r, NASTY) + s.slice(at);
    default:
      return s.slice(0, at) + s.slice(Math.min(s.length, at + Math.floor(r() * 100)));
  }
}

/** A structural mutation of a parsed JSON value: wrong types, deleted members, huge strings. */
function mutateJson(v: unknown, r: Rng, depth = 0): unknown {
  if (r() < 0.08)
    return pick(r, [null, 0, -1, 1e300, true, [], {}, 'x'.repeat(300_000), pick(r, NASTY), [1, 'a'], { '#text': 7 }]);
  if (Array.isArray(v)) return v.filter(() => r() > 0.1).map((x) => mutateJson(x, r, depth + 1));
  if (isObject(v) && depth < 8) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (r() > 0.05) out[k] = mutateJson(x, r, depth + 1);
    return out;
  }
  if (typeof v === 'string' && r() < 0.3) return mutateText(v, r);
  return v;
}

function fixtures(source: string): string[] {
  const dir = join(srcDir(source), 'fixtures');
  return readdirSync(dir).map((f) => join(dir, f));
}

/** JSON objects of a source's fixtures (JSON lines, pretty-printed or arrays), each with its file name. */
async function jsonObjects(source: string): Promise<Array<{ name: string; o: JsonObject }>> {
  const out: Array<{ name: string; o: JsonObject }> = [];
  for (const f of fixtures(source).filter((p) => /\.jsonl?$/.test(p))) {
    const lines = readFileSync(f, 'utf8')
      .split('\n')
      .map((text, i) => ({ line: i + 1, text }));
    async function* gen() {
      yield* lines;
    }
    for await (const d of jsonDocuments(gen())) {
      if (!('value' in d)) continue;
      const v0 = d.value;
      // The same wrappers readJson opens: a top-level array, or {"events": […]}.
      const vs = Array.isArray(v0) ? v0 : isObject(v0) && Array.isArray(v0.events) ? v0.events : [v0];
      for (const v of vs) if (isObject(v)) out.push({ name: f, o: v });
    }
  }
  assert.ok(out.length > 0, `${source}: fixtures hold JSON records`);
  return out;
}

/** Windows records of a source's fixtures, through the container adapter that matches each record. */
async function winRecords(source: string): Promise<WinRecord[]> {
  const recs: WinRecord[] = [];
  for (const { o } of await jsonObjects(source)) {
    const fl = jsonFlavour(o);
    if (fl === 'evtx-json') recs.push(fromEventObject(isObject(o.Event) ? o.Event : o, 'evtx-json'));
    else if (fl === 'winlogbeat') recs.push(fromWinlogbeat(o));
    else if (fl === 'nxlog') recs.push(fromNxlog(o));
    else if (fl === 'windows-message-json') recs.push(fromMessageJson(o));
  }
  return recs;
}

function checkEvent(ev: ExecEvent | undefined, what: string): void {
  if (ev === undefined) return;
  assert.ok(isObject(ev.process), `${what}: event has a process object`);
  assert.doesNotThrow(() => JSON.stringify(ev), `${what}: event serialises`);
}

/** Runs `body` ROUNDS times with a per-parser seed; fails if the whole loop takes longer than `ms`. */
function fuzz(name: string, seed: number, body: (r: Rng, round: number) => void, ms = 8000): void {
  test(`fuzz ${name}: mutated inputs never throw and yield well-formed results (seed ${seed.toString(16)})`, () => {
    const r = rng(seed);
    const started = Date.now();
    for (let i = 0; i < ROUNDS; i++) body(r, i);
    assert.ok(Date.now() - started < ms, `${name}: bounded time`);
  });
}

// --- Windows event-type normalisers: mutated WinRecords straight into each one ----------------------------
const windowsParsers: Array<[string, string, (rec: WinRecord, loc: typeof LOC) => ExecEvent | undefined]> = [
  ['sysmon', 'sysmon', normaliseSysmon],
  ['security-4688', 'security-4688', normaliseSecurity],
  ['applocker', 'applocker', normaliseAppLocker],
  ['wdac', 'wdac', normaliseWdac],
  ['powershell', 'powershell', normalisePowerShell],
];
for (const [i, [name, source, parse]] of windowsParsers.entries()) {
  const recsP = source === 'wdac' ? Promise.resolve(wdacRows()) : winRecords(source);
  test(`fuzz ${name}: the unmutated fixtures normalise to at least one event`, async () => {
    const recs = await recsP;
    assert.ok(recs.some((rec) => parse(rec, LOC) !== undefined));
  });
  test(`fuzz ${name}: mutated records (fields of every type, huge and broken strings) never throw`, async () => {
    const recs = await recsP;
    const r = rng(0xa11ce + i);
    const started = Date.now();
    for (let k = 0; k < ROUNDS; k++) {
      const base = pick(r, recs);
      const rec: WinRecord = {
        ...base,
        data: mutateJson(base.data, r) as JsonObject,
        ...(r() < 0.3 ? { eventId: pick(r, [1, 7, 4688, 4103, 4104, 8002, 8003, 8004, 8007, 8028, 3076, 3077, 3089, -1]) } : {}),
        ...(r() < 0.1 ? { message: mutateText(base.message ?? 'ProcessId: 12', r) } : {}),
      };
      const data = isObject(rec.data) ? rec.data : {};
      checkEvent(parse({ ...rec, data }, LOC), name);
    }
    assert.ok(Date.now() - started < 8000, `${name}: bounded time`);
  });
}

function wdacRows(): WinRecord[] {
  const [f] = fixtures('wdac').filter((p) => p.endsWith('.csv'));
  assert.ok(f);
  const lines = readFileSync(f, 'utf8').split(/\r?\n/).filter(Boolean);
  const header = splitCsvLine(lines[0] ?? '') ?? [];
  return lines.slice(1).map((l) => fromWdacCsvRow(header, splitCsvLine(l) ?? []));
}

// --- container adapters and line parsers ---------------------------------------------------------------------
fuzz('windows rendered XML (parseEventXml)', 0x3001, (r) => {
  const xml = readFileSync(fixtures('windows').find((f) => f.endsWith('.xml')) ?? '', 'utf8');
  const events = xml.split('</Event>').filter((s) => s.includes('<Event'));
  const one = `${pick(r, events).slice(pick(r, events).indexOf('<Event'))}</Event>`;
  const rec = parseEventXml(mutateText(one, r));
  if ('error' in rec) assert.equal(typeof rec.error, 'string');
  else assert.ok(isObject(rec.data));
});

fuzz('wdac CSV rows (splitCsvLine, fromWdacCsvRow)', 0x3002, (r) => {
  const [f] = fixtures('wdac');
  const lines = readFileSync(f ?? '', 'utf8')
    .split(/\r?\n/)
    .filter(Boolean);
  const header = splitCsvLine(lines[0] ?? '') ?? [];
  const cells = splitCsvLine(mutateText(pick(r, lines.slice(1)), r));
  if (cells) checkEvent(normaliseWdac(fromWdacCsvRow(header, cells), LOC), 'wdac-csv');
});

const auditLines = () =>
  fixtures('auditd')
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter(Boolean);
fuzz('auditd (parseAuditLine, AuditAssembler, normaliseAuditEvent)', 0x3003, (r) => {
  const lines = auditLines();
  const asm = new AuditAssembler();
  const events = [];
  for (const [n, l] of lines.entries()) {
    const rec = parseAuditLine(r() < 0.3 ? mutateText(l, r) : l);
    if ('error' in rec) continue;
    events.push(...asm.push(rec, n + 1));
  }
  events.push(...asm.flush());
  for (const ev of events) {
    const res = normaliseAuditEvent(ev, LOC);
    if ('event' in res) checkEvent(res.event, 'auditd');
    else if ('malformed' in res) assert.equal(typeof res.malformed, 'string');
  }
});

fuzz('fapolicyd (parseFapolicydLine)', 0x3004, (r) => {
  const lines = fixtures('fapolicyd').flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const res = parseFapolicydLine(mutateText(pick(r, lines), r), LOC);
  if (res !== undefined && !('error' in res)) checkEvent(res, 'fapolicyd');
});

let osq: Array<{ o: JsonObject }> = [];
let own: Array<{ o: JsonObject }> = [];
test('fuzz: load JSON fixtures of osquery and execguard', async () => {
  osq = await jsonObjects('osquery');
  own = await jsonObjects('execguard');
});
fuzz('osquery (normaliseOsquery)', 0x3005, (r) => {
  const res = normaliseOsquery(mutateJson(pick(r, osq).o, r) as JsonObject, LOC);
  for (const ev of res ?? []) checkEvent(ev, 'osquery');
});
fuzz('execguard (normaliseExecGuard)', 0x3006, (r) => {
  const m = mutateJson(pick(r, own).o, r);
  const res = normaliseExecGuard(isObject(m) ? m : {}, LOC);
  if ('error' in res) assert.match(res.error, /not a valid ExecEvent/);
  else checkEvent(res, 'execguard');
});

fuzz('splitWindowsCommandLine', 0x3007, (r) => {
  const args = splitWindowsCommandLine(mutateText('"C:\\a b\\x.exe" /c "q \\"x\\" \\\\" -enc QUJD', r));
  assert.ok(Array.isArray(args) && args.every((a) => typeof a === 'string'));
});

// --- every file reader with its format forced (auto detection would route garbage elsewhere) ---------------
const forcedByFixture: Array<[string, FormatName]> = [];
for (const source of [
  'sysmon',
  'security-4688',
  'applocker',
  'wdac',
  'powershell',
  'windows',
  'auditd',
  'fapolicyd',
  'osquery',
  'execguard',
]) {
  for (const f of fixtures(source)) {
    const fmt: FormatName | undefined = f.endsWith('.evtx')
      ? 'evtx'
      : f.endsWith('.xml')
        ? 'windows-xml'
        : f.endsWith('.csv')
          ? 'wdac-csv'
          : source === 'auditd'
            ? 'auditd'
            : source === 'fapolicyd'
              ? 'fapolicyd'
              : source === 'osquery'
                ? 'osquery'
                : source === 'execguard'
                  ? 'execguard'
                  : /nxlog/.test(f)
                    ? 'nxlog'
                    : /message-json/.test(f)
                      ? 'windows-message-json'
                      : /winlogbeat/.test(f)
                        ? 'winlogbeat'
                        : 'evtx-json';
    assert.ok((FORMATS as readonly string[]).includes(fmt));
    forcedByFixture.push([f, fmt]);
  }
}
test('fuzz readers with --format forced: truncated, UTF-16 and damaged files are reported per record, never thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-fuzz-forced-'));
  const r = rng(0xf0f0);
  const started = Date.now();
  let n = 0;
  for (const [f, format] of forcedByFixture) {
    const original = readFileSync(f);
    for (let i = 0; i < 4; i++) {
      const bytes =
        i === 0
          ? original.subarray(0, Math.floor(r() * original.length)) // truncated
          : i === 1
            ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(original.toString('utf8'), 'utf16le')]) // UTF-16LE
            : Buffer.from(mutateText(original.toString('latin1'), r), 'latin1');
      const file = join(dir, `${n++}-${format}`);
      writeFileSync(file, bytes);
      for await (const item of ingestFiles([file], { format })) {
        if ('malformed' in item)
          assert.ok(
            item.malformed.line !== undefined ||
              item.malformed.offset !== undefined ||
              /cannot read/.test(item.malformed.message),
          );
        else checkEvent(item.event, format);
      }
    }
  }
  assert.ok(Date.now() - started < 30_000, 'bounded time');
});
