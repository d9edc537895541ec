import { type ScanOptions, scan } from './scan.js';
import type { FileRecord, InventoryRecord, SummaryRecord } from './types.js';

/** Runs a scan into memory: every record plus the summary, with files by path. */
export async function scanToMemory(roots: string[], extra: Partial<ScanOptions> = {}) {
  const records: InventoryRecord[] = [];
  const summary: SummaryRecord = await scan({ roots, ...extra, write: (r) => records.push(r) });
  const files = new Map<string, FileRecord>();
  for (const r of records) if (r.kind === 'file') files.set(r.path, r);
  return { records, summary, files };
}
