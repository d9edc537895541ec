import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FileRecord, InventoryRecord, SummaryRecord } from './types.js';

/** The parts of an earlier inventory a re-scan can reuse. */
export interface PreviousInventory {
  readonly files: Map<string, FileRecord>;
  readonly unrecorded: Set<string>;
  /** The dpkg database key of that scan: package facts are reused only when it is unchanged. */
  readonly dpkgKey?: string;
}

export class InventoryFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'InventoryFormatError';
  }
}

/** Streams the records of an inventory file (JSON lines). A line that is not a record is an error naming its line. */
export async function* readInventory(file: string): AsyncGenerator<InventoryRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new InventoryFormatError(file, n, `not valid JSON: ${(e as Error).message}`);
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (typeof value !== 'object' || value === null || typeof kind !== 'string') {
      throw new InventoryFormatError(file, n, 'not an inventory record (no "kind")');
    }
    if (kind === 'file' && typeof (value as FileRecord).sha256 !== 'string')
      throw new InventoryFormatError(file, n, 'file record without sha256');
    yield value as InventoryRecord;
  }
}

export async function loadPrevious(file: string): Promise<PreviousInventory> {
  const files = new Map<string, FileRecord>();
  const unrecorded = new Set<string>();
  let dpkgKey: string | undefined;
  for await (const r of readInventory(file)) {
    if (r.kind === 'file') files.set(r.path, r);
    else if (r.kind === 'summary') {
      for (const k of (r as SummaryRecord).unrecorded ?? []) unrecorded.add(k);
      dpkgKey = (r as SummaryRecord).dpkgKey;
    }
  }
  return { files, unrecorded, ...(dpkgKey ? { dpkgKey } : {}) };
}
