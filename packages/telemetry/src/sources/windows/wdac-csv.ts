import type { JsonObject } from '../../normalise/types.js';
import { int, str } from '../../normalise/values.js';
import { setIf, type WinRecord } from './record.js';

/**
 * The WDAC Wizard / workbook event export (CSV, one CodeIntegrity or AppLocker-for-WDAC event per row).
 * Columns are renamed to the CodeIntegrity EventData names so the WDAC normaliser sees one shape.
 */
const COLUMN_TO_FIELD: Record<string, string> = {
  AffectedFile: 'File Name',
  ProcessName: 'Process Name',
  SHA1_Hash: 'SHA1 Hash',
  SHA256_Hash: 'SHA256 Hash',
  ProductName: 'ProductName',
  PublisherName: 'PublisherName',
  IssuerName: 'IssuerName',
};

export const WDAC_CSV_HEADER_PREFIX = 'TimeGenerated,Computer,UserName,Action,';

export function fromWdacCsvRow(header: readonly string[], cells: readonly string[]): WinRecord {
  const data: JsonObject = {};
  header.forEach((h, i) => {
    const v = cells[i];
    if (v !== undefined && v !== '') data[COLUMN_TO_FIELD[h] ?? h] = v;
  });
  const id = int(data.Action);
  const rec: { -readonly [K in keyof WinRecord]: WinRecord[K] } = { format: 'wdac-csv', data };
  setIf(rec, 'eventId', id);
  setIf(rec, 'provider', id !== undefined && id >= 8000 ? 'Microsoft-Windows-AppLocker' : 'Microsoft-Windows-CodeIntegrity');
  setIf(rec, 'computer', str(data.Computer));
  setIf(rec, 'time', data.TimeGenerated);
  return rec;
}

/** RFC 4180 fields of one physical line (the export has no embedded newlines). */
export function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined; // unterminated quote
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      if (i >= line.length) return out;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}
