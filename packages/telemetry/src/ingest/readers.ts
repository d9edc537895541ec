import type { ExecEvent } from '@execguard/schema';
import { isObject, type JsonObject, type Malformed } from '../normalise/types.js';
import { AuditAssembler, normaliseAuditEvent, parseAuditLine } from '../sources/auditd/parse.js';
import { readEvtxFile } from '../sources/evtx/index.js';
import { normaliseExecGuard } from '../sources/execguard/parse.js';
import { parseFapolicydLine } from '../sources/fapolicyd/parse.js';
import { normaliseOsquery } from '../sources/osquery/parse.js';
import { fromMessageJson, fromNxlog } from '../sources/windows/flat-json.js';
import { normaliseWindows } from '../sources/windows/parse.js';
import { fromEventObject, type WinRecord } from '../sources/windows/record.js';
import { fromWdacCsvRow, splitCsvLine } from '../sources/windows/wdac-csv.js';
import { fromWinlogbeat } from '../sources/windows/winlogbeat.js';
import { parseEventXml } from '../sources/windows/xml.js';
import { jsonFlavour } from './detect.js';
import type { FormatName } from './formats.js';
import { jsonDocumentBatches } from './json-docs.js';
import { readLineBatches } from './lines.js';

/** What readers yield: an event, a malformed record, or a well-formed record that is not an execution. */
export type ReadItem = { event: ExecEvent } | { malformed: Malformed } | { skipped: string };

function windowsItem(rec: WinRecord, file: string, line: number | undefined, offset?: number): ReadItem {
  // Built by assignment: conditional spreads copy a temporary object per record.
  const loc: { file: string; line?: number; offset?: number } = { file };
  if (line !== undefined) loc.line = line;
  if (offset !== undefined) loc.offset = offset;
  const ev = normaliseWindows(rec, loc);
  return ev ? { event: ev } : { skipped: rec.format };
}

export async function* readEvtx(file: string): AsyncGenerator<ReadItem> {
  for await (const item of readEvtxFile(file)) {
    if (item.kind === 'issue') {
      // Warnings (e.g. a checksum mismatch) do not lose records; errors do, and are reported.
      if (item.severity === 'error') yield { malformed: { file, offset: item.offset, message: `${item.code}: ${item.message}` } };
      continue;
    }
    const ev = isObject(item.event) && isObject(item.event.Event) ? item.event.Event : undefined;
    if (!ev) {
      yield { malformed: { file, offset: item.offset, message: 'record without an Event element' } };
      continue;
    }
    yield windowsItem(fromEventObject(ev, 'evtx'), file, undefined, item.offset);
  }
}

/** Rendered XML: any number of <Event> elements, on one line each or spread over several. */
export async function* readWindowsXml(file: string): AsyncGenerator<ReadItem> {
  let buf = '';
  let startLine = 0;
  for await (const batch of readLineBatches(file))
    for (const l of batch) {
      if ('overlong' in l) {
        yield { malformed: { file, line: l.line, message: 'line too long' } };
        buf = '';
        continue;
      }
      let text = l.text;
      for (;;) {
        if (buf === '') {
          const open = text.search(/<Event[\s>]/);
          if (open < 0) break;
          startLine = l.line;
          text = text.slice(open);
        }
        const close = (buf + text).indexOf('</Event>');
        if (close < 0) {
          buf += `${text}\n`;
          if (buf.length > 64 * 1024 * 1024) {
            yield { malformed: { file, line: startLine, message: 'XML event too large' } };
            buf = '';
          }
          break;
        }
        const all = buf + text;
        const xml = all.slice(0, close + '</Event>'.length);
        const rest = all.slice(close + '</Event>'.length);
        buf = '';
        const rec = parseEventXml(xml);
        yield 'error' in rec ? { malformed: { file, line: startLine, message: rec.error } } : windowsItem(rec, file, startLine);
        text = rest;
      }
    }
  if (buf !== '') yield { malformed: { file, line: startLine, message: 'truncated XML event (end of file inside it)' } };
}

/** The items of one JSON record, appended to `out` (osquery rows may give several events). */
function fromJsonFlavour(o: JsonObject, flavour: FormatName, file: string, line: number, out: ReadItem[]): void {
  switch (flavour) {
    case 'evtx-json': {
      const ev = isObject(o.Event) ? o.Event : o;
      if (!isObject(ev.System)) out.push({ malformed: { file, line, message: 'evtx-json record without System' } });
      else out.push(windowsItem(fromEventObject(ev, 'evtx-json'), file, line));
      return;
    }
    case 'winlogbeat':
      out.push(windowsItem(fromWinlogbeat(o), file, line));
      return;
    case 'nxlog':
      out.push(windowsItem(fromNxlog(o), file, line));
      return;
    case 'windows-message-json':
      out.push(windowsItem(fromMessageJson(o), file, line));
      return;
    case 'osquery': {
      const evs = normaliseOsquery(o, { file, line });
      if (evs === undefined) out.push({ skipped: 'osquery' });
      else for (const event of evs) out.push({ event });
      return;
    }
    case 'execguard': {
      const r = normaliseExecGuard(o, { file, line });
      out.push('error' in r ? { malformed: { file, line, message: r.error } } : { event: r });
      return;
    }
    default:
      out.push({ malformed: { file, line, message: `format ${flavour} is not JSON` } });
  }
}

/** One JSON value of a document, appended to `out` as its items. */
function fromJsonValue(v: unknown, forced: FormatName | undefined, file: string, line: number, out: ReadItem[]): void {
  if (!isObject(v)) {
    out.push({ malformed: { file, line, message: 'JSON value is not an object' } });
    return;
  }
  const flavour = forced ?? jsonFlavour(v);
  if (!flavour) out.push({ malformed: { file, line, message: 'unrecognised JSON record (no known event fields)' } });
  else fromJsonFlavour(v, flavour, file, line, out);
}

/** JSON containers; the flavour is detected per record unless forced. Wrappers like {"events": […]} are opened. */
export async function* readJson(file: string, forced?: FormatName): AsyncGenerator<ReadItem> {
  for await (const batch of readJsonBatches(file, forced)) yield* batch;
}

/**
 * readJson's items, one array per chunk of the file: the ingest loop iterates each array synchronously instead
 * of paying an async-generator round trip per record.
 */
export async function* readJsonBatches(file: string, forced?: FormatName): AsyncGenerator<ReadItem[]> {
  for await (const docs of jsonDocumentBatches(readLineBatches(file))) {
    const out: ReadItem[] = [];
    for (const doc of docs) {
      if ('error' in doc) {
        out.push({ malformed: { file, line: doc.line, message: doc.error } });
        continue;
      }
      const value = doc.value;
      if (Array.isArray(value)) for (const v of value) fromJsonValue(v, forced, file, doc.line, out);
      else if (isObject(value) && Array.isArray(value.events) && Object.keys(value).length === 1)
        for (const v of value.events) fromJsonValue(v, forced, file, doc.line, out);
      else fromJsonValue(value, forced, file, doc.line, out);
    }
    if (out.length > 0) yield out;
  }
}

export async function* readWdacCsv(file: string): AsyncGenerator<ReadItem> {
  let header: string[] | undefined;
  for await (const batch of readLineBatches(file))
    for (const l of batch) {
      if ('overlong' in l) {
        yield { malformed: { file, line: l.line, message: 'line too long' } };
        continue;
      }
      if (l.text.trim() === '') continue;
      const cells = splitCsvLine(l.text);
      if (!cells) {
        yield { malformed: { file, line: l.line, message: 'unterminated CSV quote' } };
        continue;
      }
      if (!header) {
        header = cells;
        continue;
      }
      yield windowsItem(fromWdacCsvRow(header, cells), file, l.line);
    }
}

export async function* readAuditd(file: string): AsyncGenerator<ReadItem> {
  const asm = new AuditAssembler();
  const emit = (evs: ReturnType<AuditAssembler['flush']>): ReadItem[] =>
    evs.map((ev) => {
      const r = normaliseAuditEvent(ev, { file, line: ev.firstLine });
      return 'event' in r
        ? { event: r.event }
        : 'skipped' in r
          ? { skipped: 'auditd' }
          : { malformed: { file, line: ev.firstLine, message: r.malformed } };
    });
  for await (const batch of readLineBatches(file))
    for (const l of batch) {
      if ('overlong' in l) {
        yield { malformed: { file, line: l.line, message: 'line too long' } };
        continue;
      }
      if (l.text.trim() === '') continue;
      const rec = parseAuditLine(l.text);
      if ('error' in rec) {
        yield { malformed: { file, line: l.line, message: rec.error } };
        continue;
      }
      yield* emit(asm.push(rec, l.line));
    }
  yield* emit(asm.flush());
}

export async function* readFapolicyd(file: string): AsyncGenerator<ReadItem> {
  for await (const batch of readLineBatches(file))
    for (const l of batch) {
      if ('overlong' in l) {
        yield { malformed: { file, line: l.line, message: 'line too long' } };
        continue;
      }
      if (l.text.trim() === '') continue;
      const r = parseFapolicydLine(l.text, { file, line: l.line });
      if (r === undefined) yield { skipped: 'fapolicyd' };
      else if ('error' in r) yield { malformed: { file, line: l.line, message: r.error } };
      else yield { event: r };
    }
}
