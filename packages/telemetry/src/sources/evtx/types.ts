/** Public types of the EVTX reader. */

/** A JSON value as produced by the renderer (no bigint, no undefined). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface EvtxParseOptions {
  /** Also render each record as an XML string (`EvtxRecord.xml`). Default false. */
  xml?: boolean;
  /** Verify file-header, chunk-header and record-area CRC32s (mismatches become warnings). Default true. */
  verifyChecksums?: boolean;
  /** Maximum nesting of elements, template instances and embedded BinXML values. Default 64. */
  maxDepth?: number;
  /** Maximum number of rendered nodes (elements, attributes, values) per record. Default 100 000. */
  maxNodesPerRecord?: number;
  /** Maximum characters (names and text) rendered per record. Default 8 000 000. */
  maxCharsPerRecord?: number;
  /** Maximum rendered nodes per chunk, bounding work on template-amplification input. Default 4 000 000. */
  maxNodesPerChunk?: number;
}

export interface EvtxRecord {
  kind: 'record';
  /** EventRecordID from the record header (u64; exact below 2^53). */
  recordId: number;
  /** Record header FILETIME as ISO 8601 UTC with a 7-digit (100 ns) fraction, e.g. 2021-03-01T12:34:56.1234567Z. */
  timestamp: string;
  /** Zero-based chunk index in the file. */
  chunk: number;
  /** Absolute file offset of the record header. */
  offset: number;
  /** The rendered XML as JSON: `{ Event: { xmlns, System: {...}, EventData: { Data: { Name: value } } | UserData: {...} } }`. */
  event: JsonObject;
  /** Rendered XML, only when `opts.xml` is set. */
  xml?: string;
}

export type EvtxIssueSeverity = 'error' | 'warning';

export type EvtxIssueCode =
  | 'file-too-small'
  | 'bad-file-magic'
  | 'file-header-crc'
  | 'file-header-values'
  | 'file-dirty'
  | 'chunk-count-mismatch'
  | 'chunk-truncated'
  | 'bad-chunk-magic'
  | 'chunk-header-crc'
  | 'chunk-records-crc'
  | 'chunk-free-space-offset'
  | 'bad-record-magic'
  | 'bad-record-size'
  | 'record-size-mismatch'
  | 'record-skipped-bytes'
  | 'binxml'
  | 'io';

export interface EvtxIssue {
  kind: 'issue';
  severity: EvtxIssueSeverity;
  code: EvtxIssueCode;
  message: string;
  /** Zero-based chunk index; -1 for the file header. */
  chunk: number;
  /** Absolute file offset the problem was found at. */
  offset: number;
  /** Record id when the problem concerns one record. */
  recordId?: number;
}

export type EvtxItem = EvtxRecord | EvtxIssue;

export interface EvtxFileHeader {
  firstChunkNumber: number;
  lastChunkNumber: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
  dirty: boolean;
  full: boolean;
  checksum: number;
}
