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

/** Deterministic PRNG so a failing case can be replayed from the printed seed. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
