/**
 * EVTX file, chunk and record layer. Nothing here throws on malformed input: every problem is yielded as an
 * `EvtxIssue` carrying the chunk index and absolute file offset, and decoding continues where plausible.
 */
import { BinXmlError, ChunkDecoder, type ExpandBudget, expand, type XContent } from './binxml.js';
import { crc32 } from './crc32.js';
import { contentToJson, contentToXml } from './render.js';
import type {
  EvtxFileHeader,
  EvtxIssue,
  EvtxIssueCode,
  EvtxIssueSeverity,
  EvtxItem,
  EvtxParseOptions,
  EvtxRecord,
} from './types.js';
import { filetimeToIso } from './values.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_MAGIC = 0x00002a2a;
const MIN_RECORD_SIZE = 28;

const FILE_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const CHUNK_MAGIC = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

interface ResolvedOptions {
  xml: boolean;
  verify: boolean;
  maxDepth: number;
  maxNodes: number;
  maxChars: number;
  maxChunkNodes: number;
}

export function resolveOptions(opts: EvtxParseOptions | undefined): ResolvedOptions {
  return {
    xml: opts?.xml ?? false,
    verify: opts?.verifyChecksums ?? true,
    maxDepth: Math.max(4, Math.min(opts?.maxDepth ?? 64, 1000)),
    maxNodes: Math.max(16, opts?.maxNodesPerRecord ?? 100_000),
    maxChars: Math.max(1024, opts?.maxCharsPerRecord ?? 8_000_000),
    maxChunkNodes: Math.max(1024, opts?.maxNodesPerChunk ?? 4_000_000),
  };
}

export function issue(
  severity: EvtxIssueSeverity,
  code: EvtxIssueCode,
  message: string,
  chunk: number,
  offset: number,
  recordId?: number,
): EvtxIssue {
  const i: EvtxIssue = { kind: 'issue', severity, code, message, chunk, offset };
  if (recordId !== undefined) i.recordId = recordId;
  return i;
}

function hasMagic(b: Uint8Array, p: number, magic: number[]): boolean {
  if (p + magic.length > b.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[p + i] !== magic[i]) return false;
  return true;
}

function isZero(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

function u64(b: Buffer, p: number): number {
  return b.readUInt32LE(p + 4) * 4294967296 + b.readUInt32LE(p);
}

export function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Decodes the 4096-byte file header. `header` is null when the signature is wrong or the data too short. */
export function parseFileHeader(
  data: Uint8Array,
  opts?: EvtxParseOptions,
): { header: EvtxFileHeader | null; issues: EvtxIssue[] } {
  const b = toBuffer(data);
  const issues: EvtxIssue[] = [];
  if (b.length < 128) {
    issues.push(issue('error', 'file-too-small', `file header needs 128 bytes, got ${b.length}`, -1, 0));
    return { header: null, issues };
  }
  if (!hasMagic(b, 0, FILE_MAGIC)) {
    issues.push(issue('error', 'bad-file-magic', 'file does not start with "ElfFile\\0"', -1, 0));
    return { header: null, issues };
  }
  const flags = b.readUInt32LE(120);
  const header: EvtxFileHeader = {
    firstChunkNumber: u64(b, 8),
    lastChunkNumber: u64(b, 16),
    nextRecordId: u64(b, 24),
    headerSize: b.readUInt32LE(32),
    minorVersion: b.readUInt16LE(36),
    majorVersion: b.readUInt16LE(38),
    headerBlockSize: b.readUInt16LE(40),
    chunkCount: b.readUInt16LE(42),
    flags,
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksum: b.readUInt32LE(124),
  };
  if (resolveOptions(opts).verify) {
    const crc = crc32(b, 0, 120);
    if (crc !== header.checksum) {
      issues.push(
        issue(
          'warning',
          'file-header-crc',
          `file header CRC32 0x${crc.toString(16)} != stored 0x${header.checksum.toString(16)}`,
          -1,
          124,
        ),
      );
    }
  }
  if (header.headerSize !== 128 || header.headerBlockSize !== FILE_HEADER_SIZE || header.majorVersion !== 3) {
    issues.push(
      issue(
        'warning',
        'file-header-values',
        `unusual header: size ${header.headerSize}, block size ${header.headerBlockSize}, version ${header.majorVersion}.${header.minorVersion}`,
        -1,
        32,
      ),
    );
  }
  if (header.dirty) {
    issues.push(issue('warning', 'file-dirty', 'file is marked dirty (not cleanly closed); header counts may be stale', -1, 120));
  }
  return { header, issues };
}

export type ChunkStatus = 'ok' | 'empty' | 'bad';

/**
 * Decodes one chunk (normally 65536 bytes; shorter when the file is truncated). `fileOffset` is the chunk's
 * absolute offset, used for issue and record offsets. Returns whether the chunk held a valid chunk header.
 */
export function* parseChunk(
  data: Uint8Array,
  index: number,
  fileOffset: number,
  opts?: EvtxParseOptions,
): Generator<EvtxItem, ChunkStatus> {
  const o = resolveOptions(opts);
  const b = toBuffer(data);
  const len = b.length;
  if (len < CHUNK_SIZE) {
    if (isZero(b, 0, len)) return 'empty';
    yield issue(
      len < CHUNK_HEADER_SIZE ? 'error' : 'warning',
      'chunk-truncated',
      `chunk has ${len} of ${CHUNK_SIZE} bytes`,
      index,
      fileOffset,
    );
    if (len < CHUNK_HEADER_SIZE) return 'bad';
  }
  let status: ChunkStatus = 'ok';
  if (!hasMagic(b, 0, CHUNK_MAGIC)) {
    if (isZero(b, 0, len)) return 'empty';
    yield issue('error', 'bad-chunk-magic', 'chunk does not start with "ElfChnk\\0"', index, fileOffset);
    status = 'bad';
    // Still try the records when the first one looks intact (python-evtx style leniency).
    if (!(len >= CHUNK_HEADER_SIZE + 8 && b.readUInt32LE(CHUNK_HEADER_SIZE) === RECORD_MAGIC)) return status;
  }
  if (o.verify && status === 'ok') {
    const crc = crc32(b, 128, CHUNK_HEADER_SIZE, crc32(b, 0, 120));
    const stored = b.readUInt32LE(124);
    if (crc !== stored) {
      yield issue(
        'warning',
        'chunk-header-crc',
        `chunk header CRC32 0x${crc.toString(16)} != stored 0x${stored.toString(16)}`,
        index,
        fileOffset + 124,
      );
    }
  }
  const freeSpace = b.readUInt32LE(48);
  let recordsEnd = freeSpace;
  if (freeSpace < CHUNK_HEADER_SIZE || freeSpace > CHUNK_SIZE) {
    if (status === 'ok') {
      yield issue('warning', 'chunk-free-space-offset', `free space offset ${freeSpace} outside chunk`, index, fileOffset + 48);
    }
    recordsEnd = len;
  } else if (freeSpace > len) {
    recordsEnd = len;
  } else if (o.verify && status === 'ok') {
    const crc = crc32(b, CHUNK_HEADER_SIZE, freeSpace);
    const stored = b.readUInt32LE(52);
    if (crc !== stored) {
      yield issue(
        'warning',
        'chunk-records-crc',
        `event records CRC32 0x${crc.toString(16)} != stored 0x${stored.toString(16)}`,
        index,
        fileOffset + 52,
      );
    }
  }

  const decoder = new ChunkDecoder(b, o.maxDepth);
  const spent = { nodes: 0 };
  /** Next offset >= from holding a record magic whose size and trailing size copy agree, or -1. */
  const resync = (from: number): number => {
    for (let q = from; q + MIN_RECORD_SIZE <= recordsEnd; q++) {
      if (b[q] !== 0x2a || b[q + 1] !== 0x2a || b[q + 2] !== 0 || b[q + 3] !== 0) continue;
      const s = b.readUInt32LE(q + 4);
      if (s >= MIN_RECORD_SIZE && q + s <= len && b.readUInt32LE(q + s - 4) === s) return q;
    }
    return -1;
  };

  let pos = CHUNK_HEADER_SIZE;
  while (pos + 24 <= recordsEnd) {
    const magic = b.readUInt32LE(pos);
    const size = b.readUInt32LE(pos + 4);
    let problem: { code: EvtxIssueCode; message: string } | undefined;
    if (magic !== RECORD_MAGIC) {
      if (isZero(b, pos, recordsEnd)) break;
      problem = { code: 'bad-record-magic', message: `bad record signature 0x${magic.toString(16)}` };
    } else if (size < MIN_RECORD_SIZE || pos + size > len) {
      problem = { code: 'bad-record-size', message: `record size ${size} implausible` };
    }
    if (problem !== undefined) {
      const next = resync(pos + 1);
      const skipped = next < 0 ? 'rest of chunk skipped' : `skipped ${next - pos} bytes to next record`;
      yield issue('error', problem.code, `${problem.message}; ${skipped}`, index, fileOffset + pos);
      if (next < 0) break;
      pos = next;
      continue;
    }
    const recordId = u64(b, pos + 8);
    let next = pos + size;
    const sizeCopy = b.readUInt32LE(pos + size - 4);
    if (sizeCopy !== size) {
      yield issue(
        'warning',
        'record-size-mismatch',
        `record size ${size} != trailing copy ${sizeCopy}`,
        index,
        fileOffset + pos,
        recordId,
      );
      const r = resync(pos + 1);
      next = r < 0 ? recordsEnd : r;
    }
    const item = decodeRecord(decoder, b, pos, size, recordId, index, fileOffset, o, spent);
    yield item;
    pos = next;
  }
  return status;
}

function decodeRecord(
  decoder: ChunkDecoder,
  b: Buffer,
  pos: number,
  size: number,
  recordId: number,
  index: number,
  fileOffset: number,
  o: ResolvedOptions,
  spent: { nodes: number },
): EvtxItem {
  const budget: ExpandBudget = {
    nodes: 0,
    maxNodes: Math.min(o.maxNodes, Math.max(0, o.maxChunkNodes - spent.nodes)),
    chars: 0,
    maxChars: o.maxChars,
    maxDepth: o.maxDepth,
  };
  try {
    const nodes = decoder.parseFragment(pos + 24, pos + size - 4, false, 0);
    const content: XContent[] = [];
    expand(nodes, [], content, budget, 0);
    const event = contentToJson(content);
    if (Object.keys(event).length === 0) {
      return issue('error', 'binxml', 'record holds no XML element', index, fileOffset + pos + 24, recordId);
    }
    const rec: EvtxRecord = {
      kind: 'record',
      recordId,
      timestamp: filetimeToIso(b.readUInt32LE(pos + 16), b.readUInt32LE(pos + 20)),
      chunk: index,
      offset: fileOffset + pos,
      event,
    };
    if (o.xml) rec.xml = contentToXml(content);
    return rec;
  } catch (e) {
    if (budget.maxNodes < o.maxNodes && budget.nodes > budget.maxNodes) {
      return issue(
        'error',
        'binxml',
        `record ${recordId}: chunk node budget (${o.maxChunkNodes}) exhausted`,
        index,
        fileOffset + pos,
        recordId,
      );
    }
    const at = e instanceof BinXmlError && e.at > 0 && e.at < b.length ? e.at : pos + 24;
    const msg = e instanceof Error ? e.message : String(e);
    return issue('error', 'binxml', `record ${recordId}: ${msg}`, index, fileOffset + at, recordId);
  } finally {
    spent.nodes += budget.nodes;
  }
}

/** Tracks chunk statuses to report a header chunk count that disagrees with the chunks found. */
export class ChunkTally {
  found = 0;
  check(header: EvtxFileHeader | null): EvtxIssue | null {
    if (header === null || header.chunkCount === this.found) return null;
    return issue(
      'warning',
      'chunk-count-mismatch',
      `file header declares ${header.chunkCount} chunks, found ${this.found} with a chunk signature`,
      -1,
      42,
    );
  }
}

/** Parses a whole EVTX file held in memory. Yields records and issues in file order; never throws. */
export function* parseEvtx(data: Uint8Array, opts?: EvtxParseOptions): Generator<EvtxItem, void> {
  const b = toBuffer(data);
  if (b.length < FILE_HEADER_SIZE) {
    yield issue('error', 'file-too-small', `file has ${b.length} bytes, less than the 4096-byte header`, -1, 0);
    return;
  }
  const { header, issues } = parseFileHeader(b.subarray(0, FILE_HEADER_SIZE), opts);
  yield* issues;
  const tally = new ChunkTally();
  for (let off = FILE_HEADER_SIZE, i = 0; off < b.length; off += CHUNK_SIZE, i++) {
    const status = yield* parseChunk(b.subarray(off, Math.min(off + CHUNK_SIZE, b.length)), i, off, opts);
    if (status === 'ok') tally.found++;
  }
  const mismatch = tally.check(header);
  if (mismatch) yield mismatch;
}

/** Convenience: parse in memory and split into records and issues. */
export function parseEvtxAll(data: Uint8Array, opts?: EvtxParseOptions): { records: EvtxRecord[]; issues: EvtxIssue[] } {
  const records: EvtxRecord[] = [];
  const issues: EvtxIssue[] = [];
  for (const item of parseEvtx(data, opts)) {
    if (item.kind === 'record') records.push(item);
    else issues.push(item);
  }
  return { records, issues };
}
