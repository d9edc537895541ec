/** EVTX (Windows XML Event Log) reader: binary parser for .evtx files, no dependencies. */
export { crc32 } from './crc32.js';
export { CHUNK_SIZE, FILE_HEADER_SIZE, parseChunk, parseEvtx, parseEvtxAll, parseFileHeader } from './parser.js';
export { readEvtxFile, readEvtxFileSync } from './stream.js';
export type {
  EvtxFileHeader,
  EvtxIssue,
  EvtxIssueCode,
  EvtxIssueSeverity,
  EvtxItem,
  EvtxParseOptions,
  EvtxRecord,
  JsonObject,
  JsonValue,
} from './types.js';
