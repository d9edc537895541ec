import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FileRecord, InventoryRecord, SummaryRecord } from './types.js';

/**
 * A file record of an earlier inventory kept as its JSON line: the re-scan key is read from the
 * line, the rest is parsed only when a re-scan needs it, and an unchanged file's line is reused.
 */
export class PreviousFile {
  private parsed: FileRecord | null | undefined;
  constructor(
    /** The record as written (no newline). */
    readonly line: string,
    readonly dev: number,
    readonly ino: number,
    readonly size: number,
    readonly mtimeMs: number,
    readonly ctimeMs: number,
    /** Where `,"writableBy":` starts: the facts before it follow from the key, the rest is recomputed. */
    readonly tailAt: number,
  ) {}
  /** The whole record; undefined when the line does not parse as one. */
  record(): FileRecord | undefined {
    if (this.parsed === undefined) {
      try {
        const r = JSON.parse(this.line) as FileRecord;
        this.parsed = r?.kind === 'file' && typeof r.sha256 === 'string' ? r : null;
      } catch {
        this.parsed = null;
      }
    }
    return this.parsed ?? undefined;
  }
}

const FILE_HEAD = '{"kind":"file","path":"';
const HEX64 = /^[0-9a-f]{64}"/;

/** The number after `key` (`,"name":`) at or after `from`; [value, end] or undefined. */
function numberAt(line: string, key: string, from: number): [number, number] | undefined {
  const at = line.indexOf(key, from);
  if (at < 0) return undefined;
  const start = at + key.length;
  let end = start;
  for (let c = line.charCodeAt(end); end < line.length && c !== 44 && c !== 125; c = line.charCodeAt(++end)); // ',' '}'
  const v = Number(line.slice(start, end));
  return end > start && Number.isFinite(v) ? [v, end] : undefined;
}

/**
 * Reads the path and re-scan key of a file line written by `execguard scan` (its keys come in a
 * fixed order; inside JSON strings every quote is escaped, so `,"key":` only matches a key).
 * Undefined for any line of another shape: that one is parsed in full.
 */
export function previousFileOf(line: string): [string, PreviousFile] | undefined {
  if (!line.startsWith(FILE_HEAD) || !line.endsWith('}')) return undefined;
  const pathEnd = line.indexOf('","type":"', FILE_HEAD.length);
  if (pathEnd < 0) return undefined;
  let path: unknown;
  try {
    path = JSON.parse(line.slice(FILE_HEAD.length - 1, pathEnd + 1));
  } catch {
    return undefined;
  }
  const size = numberAt(line, ',"size":', pathEnd);
  const mtimeMs = size && numberAt(line, ',"mtimeMs":', size[1]);
  const ctimeMs = mtimeMs && numberAt(line, ',"ctimeMs":', mtimeMs[1]);
  const dev = ctimeMs && numberAt(line, ',"dev":', ctimeMs[1]);
  const ino = dev && numberAt(line, ',"ino":', dev[1]);
  if (typeof path !== 'string' || !size || !mtimeMs || !ctimeMs || !dev || !ino) return undefined;
  const sha = ',"sha256":"';
  if (!line.startsWith(sha, ino[1]) || !HEX64.test(line.slice(ino[1] + sha.length, ino[1] + sha.length + 65))) return undefined;
  const tailAt = line.indexOf(',"writableBy":{', ino[1]);
  if (tailAt < 0) return undefined;
  return [path, new PreviousFile(line, dev[0], ino[0], size[0], mtimeMs[0], ctimeMs[0], tailAt)];
}

/** The parts of an earlier inventory a re-scan can reuse. */
export interface PreviousInventory {
  readonly files: ReadonlyMap<string, FileRecord | PreviousFile>;
  readonly unrecorded: Set<string>;
  /** The package databases' key of that scan: package facts are reused only when it is unchanged. */
  readonly packagesKey?: string;
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
    const r = parseRecord(line, file, n);
    if (r !== undefined) yield r;
  }
}

/** One line of an inventory: undefined when blank, else a record or an InventoryFormatError naming the line. */
function parseRecord(line: string, file: string, n: number): InventoryRecord | undefined {
  if (line.trim() === '') return undefined;
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
  return value as InventoryRecord;
}

/**
 * Reads an earlier inventory for a re-scan. Our own file lines are not parsed: their path and key
 * are read from the text (see previousFileOf). Posture, symlink and error lines are skipped; the
 * summary and any line of another shape are parsed and checked as readInventory does.
 */
export async function loadPrevious(file: string): Promise<PreviousInventory> {
  const files = new Map<string, FileRecord | PreviousFile>();
  const unrecorded = new Set<string>();
  let packagesKey: string | undefined;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    n++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const ours = previousFileOf(line);
    if (ours) {
      files.set(ours[0], ours[1]);
      continue;
    }
    if (/^\{"kind":"(posture|symlink|error)",/.test(line) && line.endsWith('}')) continue; // not used by a re-scan
    const r = parseRecord(line, file, n);
    if (r === undefined) continue;
    if (r.kind === 'file') files.set(r.path, r as FileRecord);
    else if (r.kind === 'summary') {
      for (const k of (r as SummaryRecord).unrecorded ?? []) unrecorded.add(k);
      packagesKey = (r as SummaryRecord).packagesKey;
    }
  }
  return { files, unrecorded, ...(packagesKey ? { packagesKey } : {}) };
}
