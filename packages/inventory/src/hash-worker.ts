/**
 * Worker thread: opens one file at a time, classifies it from its first bytes and, when it is an
 * executable, library, script, PE file or installer, hashes it in fixed-size chunks (bounded memory)
 * and parses its headers. All file I/O of a scan happens here, spread over the pool.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { fdSource, headedSource } from './bytes.js';
import { classify } from './classify.js';
import type { HashRequest, HashResult } from './hash-protocol.js';

const CHUNK = 1 << 20;
/** What classifying alone reads first (headers are parsed through fdSource beyond it when needed). */
const HEAD = 64 << 10;
const chunk = Buffer.allocUnsafe(CHUNK);

export function inspectFile(req: HashRequest): HashResult {
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: the walker saw a regular file here; if it was swapped for a symlink since, refuse.
    // O_NONBLOCK: a file swapped for a FIFO must not hang the worker.
    fd = openSync(req.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) return { id: req.id, error: 'no longer a regular file' };
    const k = req.known;
    const shared = k !== undefined && k.size === st.size && k.mtimeMs === st.mtimeMs && k.ctimeMs === st.ctimeMs;
    const first = readSync(fd, chunk, 0, shared ? HEAD : CHUNK, 0);
    // Headers within the bytes just read are parsed from them (classify is done before `chunk` is reused).
    const read = chunk.subarray(0, first);
    const what = classify(req.path, read.subarray(0, 4096), headedSource(read, fdSource(fd, st.size)));
    if (!what) return { id: req.id, recorded: false };
    if (shared)
      return {
        id: req.id,
        recorded: true,
        bytes: 0,
        sha256: k.sha256,
        ...(k.md5 ? { md5: k.md5 } : {}),
        classification: what,
        shared: true,
      };
    const sha = createHash('sha256');
    const md5 = req.md5 ? createHash('md5') : undefined;
    let position = 0;
    let n = first;
    while (n > 0) {
      const part = chunk.subarray(0, n);
      sha.update(part);
      md5?.update(part);
      position += n;
      n = readSync(fd, chunk, 0, CHUNK, position);
    }
    return {
      id: req.id,
      recorded: true,
      bytes: position,
      sha256: sha.digest('hex'),
      ...(md5 ? { md5: md5.digest('hex') } : {}),
      classification: what,
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { id: req.id, error: err.code ? `${err.code}: ${err.message}` : String(err.message ?? e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

parentPort?.on('message', (batch: HashRequest[]) => {
  parentPort?.postMessage(batch.map(inspectFile));
});
