import type { KeyObject } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { TrustError } from '../errors.js';
import { acquireLock, fsyncDir } from '../fsutil.js';
import { type AuditEntry, type AuditHead, type AuditInput, auditEntryHash, GENESIS_HEAD, nextAuditEntry } from './chain.js';
import { type AuditCheckpoint, checkpointDue, signCheckpoint } from './checkpoint.js';
import { formatAuditLine } from './export.js';

export interface AuditFileStoreOptions {
  /** Key for checkpoints; without it none are written. */
  readonly signingKey?: KeyObject;
  /** A checkpoint after every N entries (default 100; 0 = only on demand). */
  readonly checkpointEvery?: number;
}

/**
 * A single-writer, append-only JSON-lines file holding the chain and its checkpoints; the file is
 * itself a valid export. Every append is fsynced before it returns, so an entry that was returned
 * survives a crash. A lock file (<path>.lock) keeps a second writer out; a dead writer's lock is
 * taken over. A torn last line (crash mid-write, never acknowledged) is cut off on open.
 */
export class AuditFileStore {
  #fd: number | undefined;
  #head: AuditHead;
  readonly #release: () => void;
  readonly #key: KeyObject | undefined;
  readonly #every: number;
  /** Bytes of a torn final line removed on open (0 normally). */
  readonly recoveredBytes: number;

  private constructor(
    readonly path: string,
    fd: number,
    head: AuditHead,
    release: () => void,
    options: AuditFileStoreOptions,
    recovered: number,
  ) {
    this.#fd = fd;
    this.#head = head;
    this.#release = release;
    this.#key = options.signingKey;
    this.#every = options.checkpointEvery ?? 100;
    this.recoveredBytes = recovered;
  }

  static open(path: string, options: AuditFileStoreOptions = {}): AuditFileStore {
    const release = acquireLock(`${path}.lock`);
    try {
      const fd = openSync(path, 'a+', 0o640);
      try {
        const { head, recovered } = recover(path, fd);
        return new AuditFileStore(path, fd, head, release, options, recovered);
      } catch (e) {
        closeSync(fd);
        throw e;
      }
    } catch (e) {
      release();
      throw e;
    }
  }

  get head(): AuditHead {
    return this.#head;
  }

  append(input: AuditInput): AuditEntry {
    const entry = nextAuditEntry(this.#head, input);
    this.#write(formatAuditLine(entry));
    this.#head = { seq: entry.seq, hash: entry.hash };
    if (this.#key && checkpointDue(entry.seq, this.#every)) this.checkpoint();
    return entry;
  }

  /** Seals the current head now (e.g. before an export, or at shutdown). */
  checkpoint(time?: Date | number): AuditCheckpoint {
    if (!this.#key) throw new TrustError('E_KEY', 'audit store: no signing key for checkpoints');
    const cp = signCheckpoint(this.#head, this.#key, time);
    this.#write(formatAuditLine(cp));
    return cp;
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
    this.#release();
  }

  #write(line: string): void {
    if (this.#fd === undefined) throw new TrustError('E_INVALID_INPUT', 'audit store is closed');
    const buf = Buffer.from(line, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.#fd, buf, off);
    fsyncSync(this.#fd);
  }
}

/** Finds the head from the file's last entry, cutting off a torn final line. */
function recover(path: string, fd: number): { head: AuditHead; recovered: number } {
  const size = fstatSync(fd).size;
  if (size === 0) return { head: GENESIS_HEAD, recovered: 0 };
  const text = readFileSync(path, 'utf8');
  let recovered = 0;
  let body = text;
  if (!text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n') + 1;
    recovered = Buffer.byteLength(text.slice(cut));
    body = text.slice(0, cut);
    ftruncateSync(fd, Buffer.byteLength(body));
    fsyncSync(fd);
    fsyncDir(path.replace(/[^/]*$/, '') || '.');
  }
  const lines = body.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new TrustError('E_AUDIT_CORRUPT', `${path}:${i + 1}: not JSON; run audit verify before appending`);
    }
    if (v.type === 'checkpoint') continue;
    const e = v as unknown as AuditEntry;
    let ok = false;
    try {
      ok = auditEntryHash(e) === e.hash && Number.isSafeInteger(e.seq);
    } catch {
      ok = false;
    }
    // Continuing from an entry whose hash does not match would bless the alteration.
    if (!ok) throw new TrustError('E_AUDIT_CORRUPT', `${path}:${i + 1}: last entry does not match its hash; run audit verify`);
    return { head: { seq: e.seq, hash: e.hash }, recovered };
  }
  return { head: GENESIS_HEAD, recovered };
}
