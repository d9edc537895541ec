/**
 * Test support: compare records from this parser with JSON exports made by other EVTX tools (the Rust `evtx_dump`
 * JSON in Sigma's regression data, python-evtx/xmltodict JSON lines in EVTX-to-MITRE-Attack).
 *
 * Only documented exporter differences are normalised: GUID case and braces, hex-integer zero padding, typed vs
 * string integers, trailing whitespace, SystemTime separator/precision ('T' or ' ', with or without 'Z', 6 or 7
 * fraction digits: compared to the microsecond), and empty vs null values.
 */
import type { EvtxRecord, JsonValue } from './types.js';

/**
 * Differences specific to the python-evtx + xmltodict exporter (EVTX-to-MITRE-Attack JSON lines), each verified
 * against the raw bytes of sample records:
 * - it re-parses rendered XML, so CR LF in values arrives as LF (XML end-of-line normalisation);
 * - booleans are Python's `True`/`False`;
 * - FILETIMEs go through float arithmetic and can be up to 2 microseconds off (SystemTime and FILETIME Data);
 * - unnamed Data and Binary (base64) are lumped into `_unnamed`, and UTF-16 string arrays are rendered as
 *   `<string>..</string>` runs whose order is wrong when an item is empty; these are not compared.
 */
export interface CompareOptions {
  pythonEvtx?: boolean;
}

export interface ComparableEvent {
  EventID: string;
  Channel: string;
  Provider: string;
  ProviderGuid: string;
  EventRecordID: string;
  TimeCreated: string;
  Computer: string;
  /** Named EventData/Data values. */
  data: Map<string, string>;
  /** Unnamed EventData/Data values, in order. */
  unnamed: string[];
}

/** Splits text holding concatenated JSON documents (pretty-printed or one per line). */
export function splitConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inStr = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
      continue;
    }
    if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  return out;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const HEX = /^0x[0-9a-f]+$/i;

/** Normalises a rendered value for comparison. */
export function norm(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(norm).join(',');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('#text' in o) return norm(o['#text']);
    return JSON.stringify(v);
  }
  if (typeof v !== 'string') return String(v);
  const s = v.trimEnd();
  const g = GUID.exec(s);
  if (g) return g[1]!.toUpperCase();
  if (HEX.test(s) && s.length <= 34) return `0x${BigInt(s).toString(16)}`;
  return s;
}

/** Normalises a SystemTime to `YYYY-MM-DDTHH:MM:SS.ffffff` (microseconds, truncated). */
export function normTime(v: unknown): string {
  const s = norm(v).replace(' ', 'T').replace(/Z$/, '');
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Attribute of an oracle element ("#attributes" style). */
function oattr(v: unknown, name: string): unknown {
  return obj(obj(v)['#attributes'])[name];
}

/** Extracts the comparable fields from an exporter's JSON (`{Event:{...}}` or bare `{System, EventData}`). */
export function fromOracle(doc: unknown, opts: CompareOptions = {}): ComparableEvent {
  const root = obj(doc);
  const ev = 'Event' in root ? obj(root.Event) : root;
  const sys = obj(ev.System);
  const data = new Map<string, string>();
  const unnamed: string[] = [];
  const ed = ev.EventData;
  if (typeof ed === 'object' && ed !== null) {
    for (const [k, v] of Object.entries(ed)) {
      if (k === '#attributes') continue;
      if (opts.pythonEvtx && k === '_unnamed') continue;
      if (k === 'Data' && typeof v === 'object' && v !== null && (Array.isArray(v) || '#text' in v)) {
        const t = Array.isArray(v) ? v : (v as Record<string, unknown>)['#text'];
        for (const x of Array.isArray(t) ? t : [t]) unnamed.push(norm(x));
        continue;
      }
      data.set(k, norm(v));
    }
  }
  return {
    EventID: norm(sys.EventID),
    Channel: norm(sys.Channel),
    Provider: norm(oattr(sys.Provider, 'Name')),
    ProviderGuid: norm(oattr(sys.Provider, 'Guid')),
    EventRecordID: norm(sys.EventRecordID),
    TimeCreated: normTime(oattr(sys.TimeCreated, 'SystemTime')),
    Computer: norm(sys.Computer),
    data,
    unnamed,
  };
}

function jobj(v: JsonValue | undefined): Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
}

/** Extracts the comparable fields from one of our records. */
export function fromRecord(rec: EvtxRecord, opts: CompareOptions = {}): ComparableEvent {
  const ev = jobj(rec.event.Event);
  const sys = jobj(ev.System);
  const ed = jobj(ev.EventData);
  const data = new Map<string, string>();
  for (const [k, v] of Object.entries(jobj(ed.Data))) data.set(k, norm(v));
  // Exporters flatten other EventData children (e.g. Binary) next to the Data names; attributes of EventData
  // itself (e.g. Name="TaskDeleted") are kept apart by them, so drop the ones EventData is known to carry.
  for (const [k, v] of Object.entries(ed)) if (k !== 'Data' && k !== 'DataValues' && k !== 'Name') data.set(k, norm(v));
  const dv = ed.DataValues;
  let unnamed = Array.isArray(dv) ? dv.map(norm) : [];
  if (opts.pythonEvtx) {
    unnamed = [];
    data.delete('Binary');
    for (const [k, v] of data) {
      const raw = jobj(ed.Data)[k];
      if (Array.isArray(raw)) data.delete(k);
      else data.set(k, v.replace(/\r\n/g, '\n'));
    }
  }
  return {
    EventID: norm(sys.EventID),
    Channel: norm(sys.Channel),
    Provider: norm(jobj(sys.Provider).Name),
    ProviderGuid: norm(jobj(sys.Provider).Guid),
    EventRecordID: norm(sys.EventRecordID),
    TimeCreated: normTime(jobj(sys.TimeCreated).SystemTime),
    Computer: norm(sys.Computer),
    data,
    unnamed,
  };
}

/** python-evtx FILETIME conversion error seen in the data: up to 2 microseconds. */
const PY_TIME_TOLERANCE_US = 2;
const TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?$/;

function pythonEquivalent(mine: string, theirs: string): boolean {
  if (/^(true|false)$/.test(mine) && mine === theirs.toLowerCase()) return true;
  if (TIME.test(mine) && TIME.test(theirs)) return microsApart(normTime(mine), normTime(theirs)) <= PY_TIME_TOLERANCE_US;
  return false;
}

function microsApart(a: string, b: string): number {
  const ta = Date.parse(`${a.slice(0, 19)}Z`);
  const tb = Date.parse(`${b.slice(0, 19)}Z`);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return Number.POSITIVE_INFINITY;
  return Math.abs((ta - tb) * 1000 + Number(a.slice(20)) - Number(b.slice(20)));
}

const SCALAR_FIELDS = ['EventID', 'Channel', 'Provider', 'ProviderGuid', 'EventRecordID', 'TimeCreated', 'Computer'] as const;

/** Field-by-field differences (empty when the records agree). */
export function diffEvents(ours: ComparableEvent, oracle: ComparableEvent, opts: CompareOptions = {}): string[] {
  const d: string[] = [];
  for (const f of SCALAR_FIELDS) {
    if (ours[f] === oracle[f]) continue;
    if (f === 'TimeCreated' && opts.pythonEvtx && microsApart(ours[f], oracle[f]) <= PY_TIME_TOLERANCE_US) continue;
    d.push(`${f}: ours=${JSON.stringify(ours[f])} oracle=${JSON.stringify(oracle[f])}`);
  }
  for (const [k, v] of oracle.data) {
    const mine = ours.data.get(k);
    if (mine === undefined) {
      // python-evtx renders string arrays as "<string>..</string>" runs; such values are not compared.
      if (opts.pythonEvtx && v.startsWith('<string>')) continue;
      d.push(`EventData.${k}: missing in ours (oracle=${JSON.stringify(v)})`);
    } else if (mine !== v && !(opts.pythonEvtx && pythonEquivalent(mine, v))) {
      d.push(`EventData.${k}: ours=${JSON.stringify(mine)} oracle=${JSON.stringify(v)}`);
    }
  }
  for (const k of ours.data.keys()) if (!oracle.data.has(k)) d.push(`EventData.${k}: missing in oracle`);
  if (ours.unnamed.join('\u0000') !== oracle.unnamed.join('\u0000')) {
    d.push(`EventData unnamed: ours=${JSON.stringify(ours.unnamed)} oracle=${JSON.stringify(oracle.unnamed)}`);
  }
  return d;
}
