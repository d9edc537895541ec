/**
 * File readers with bounded memory: the file header and one 64 KiB chunk buffer are read at a time through a
 * file handle, so memory does not grow with file size. Open/read failures become `io` issues.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CHUNK_SIZE, ChunkTally, FILE_HEADER_SIZE, issue, parseChunk, parseFileHeader } from './parser.js';
import type { EvtxItem, EvtxParseOptions } from './types.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Streams records and issues from an EVTX file (async, one chunk in memory at a time). */
export async function* readEvtxFile(path: string, opts?: EvtxParseOptions): AsyncGenerator<EvtxItem, void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    yield issue('error', 'io', `cannot open ${path}: ${message(e)}`, -1, 0);
    return;
  }
  try {
    const size = (await fh.stat()).size;
    if (size < FILE_HEADER_SIZE) {
      yield issue('error', 'file-too-small', `file has ${size} bytes, less than the 4096-byte header`, -1, 0);
      return;
    }
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    await fh.read(head, 0, FILE_HEADER_SIZE, 0);
    const { header, issues } = parseFileHeader(head, opts);
    yield* issues;
    const buf = Buffer.alloc(CHUNK_SIZE);
    const tally = new ChunkTally();
    for (let off = FILE_HEADER_SIZE, i = 0; off < size; off += CHUNK_SIZE, i++) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_SIZE, size - off), off);
      // Records are fully decoded into fresh objects before the buffer is reused.
      const status = yield* parseChunk(buf.subarray(0, bytesRead), i, off, opts);
      if (status === 'ok') tally.found++;
    }
    const mismatch = tally.check(header);
    if (mismatch) yield mismatch;
  } catch (e) {
    yield issue('error', 'io', `read failed on ${path}: ${message(e)}`, -1, 0);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Synchronous variant of `readEvtxFile`, same bounded memory. */
export function* readEvtxFileSync(path: string, opts?: EvtxParseOptions): Generator<EvtxItem, void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    yield issue('error', 'io', `cannot open ${path}: ${message(e)}`, -1, 0);
    return;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < FILE_HEADER_SIZE) {
      yield issue('error', 'file-too-small', `file has ${size} bytes, less than the 4096-byte header`, -1, 0);
      return;
    }
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    readSync(fd, head, 0, FILE_HEADER_SIZE, 0);
    const { header, issues } = parseFileHeader(head, opts);
    yield* issues;
    const buf = Buffer.alloc(CHUNK_SIZE);
    const tally = new ChunkTally();
    for (let off = FILE_HEADER_SIZE, i = 0; off < size; off += CHUNK_SIZE, i++) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK_SIZE, size - off), off);
      const status = yield* parseChunk(buf.subarray(0, n), i, off, opts);
      if (status === 'ok') tally.found++;
    }
    const mismatch = tally.check(header);
    if (mismatch) yield mismatch;
  } catch (e) {
    yield issue('error', 'io', `read failed on ${path}: ${message(e)}`, -1, 0);
  } finally {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}
