import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { type Accounts, loadAccounts } from './accounts.js';
import type { Classification } from './classify.js';
import { type DpkgDatabase, loadDpkg } from './dpkg.js';
import type { HashRequest, HashResult } from './hash-protocol.js';
import { loadMounts, type MountTable } from './mounts.js';
import { defaultWorkerCount, hashAll } from './pool.js';
import { hostPosture, rpmDatabaseState } from './posture.js';
import type { PreviousInventory } from './previous.js';
import type { FileRecord, InventoryRecord, PackageInfo, SummaryRecord } from './types.js';
import { WritabilityAnalyzer } from './writability.js';

export interface ScanProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ScanOptions {
  readonly roots: readonly string[];
  readonly crossMounts?: boolean;
  readonly previous?: PreviousInventory;
  readonly workers?: number;
  /** Receives every record, in a stable order: posture, then walk order, then the summary. */
  readonly write: (record: InventoryRecord) => void;
  readonly onProgress?: (p: ScanProgress) => void;
  /** For tests: alternative account and package databases. */
  readonly accounts?: Accounts;
  readonly dpkg?: DpkgDatabase;
  readonly mounts?: MountTable;
}

/** A scan root that does not exist or cannot be read: the caller's input error. */
export class ScanRootError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ScanRootError';
  }
}

interface Candidate {
  readonly id: number;
  readonly path: string;
  readonly st: Stats;
}

type Slot = InventoryRecord | Candidate | null; // null: an unrecorded file (nothing to write)

type Fingerprinted = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;
/** The re-scan key: a file whose inode, size and both times are unchanged has unchanged content. */
const fingerprint = (st: Fingerprinted) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
const within = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

function resolveRoots(roots: readonly string[]): string[] {
  if (roots.length === 0) throw new ScanRootError('(none)', 'no path to scan');
  return roots.map((r) => {
    try {
      const real = realpathSync(resolve(r));
      lstatSync(real);
      return real;
    } catch (e) {
      throw new ScanRootError(r, `cannot scan (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
}

export async function scan(options: ScanOptions): Promise<SummaryRecord> {
  const started = Date.now();
  const roots = resolveRoots(options.roots);
  const accounts = options.accounts ?? loadAccounts();
  const dpkg = options.dpkg ?? loadDpkg();
  const mounts = options.mounts ?? loadMounts();
  const writability = new WritabilityAnalyzer(accounts);
  const previous = options.previous;
  const crossMounts = options.crossMounts === true;

  // Phase 1: walk (lstat only; cheap), deciding per file whether an earlier result can be reused.
  const slots: Slot[] = [];
  const toHash: Array<HashRequest & { size: number }> = [];
  const unrecorded: string[] = [];
  let filesSeen = 0;
  let symlinks = 0;
  let errors = 0;
  let reused = 0;
  let bytesTotal = 0;
  const seenDirs = new Set<string>(); // overlapping roots are walked once
  const walk = (root: string) => {
    const rootDev = lstatSync(root).dev;
    const stack = [root];
    while (stack.length > 0) {
      const path = stack.pop()!;
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch (e) {
        slots.push({ kind: 'error', path, error: (e as NodeJS.ErrnoException).code ?? String(e) });
        errors++;
        continue;
      }
      if (st.isSymbolicLink()) {
        symlinks++;
        let target = '';
        try {
          target = readlinkSync(path);
        } catch (e) {
          slots.push({ kind: 'error', path, error: (e as NodeJS.ErrnoException).code ?? String(e) });
          errors++;
          continue;
        }
        const resolved = resolve(dirname(path), target);
        slots.push({ kind: 'symlink', path, target, resolved, inScope: roots.some((r) => within(resolved, r)) });
      } else if (st.isDirectory()) {
        if (seenDirs.has(path)) continue;
        seenDirs.add(path);
        if (st.dev !== rootDev && !crossMounts) continue; // another file system: only with --cross-mounts
        let names: string[];
        try {
          names = readdirSync(path);
        } catch (e) {
          slots.push({ kind: 'error', path, error: (e as NodeJS.ErrnoException).code ?? String(e) });
          errors++;
          continue;
        }
        // Reverse-sorted onto the stack so entries come out in sorted order: stable output for diffs.
        names.sort();
        for (let i = names.length - 1; i >= 0; i--) stack.push(join(path, names[i]!));
      } else if (st.isFile()) {
        filesSeen++;
        const fp = fingerprint(st);
        const before = previous?.files.get(path);
        if (before && fingerprint(before) === fp) {
          reused++;
          slots.push(describe(path, st, reusedClassification(before), before.sha256, before.md5));
          continue;
        }
        if (previous?.unrecorded.has(fp)) {
          unrecorded.push(fp);
          slots.push(null);
          continue;
        }
        const id = slots.length;
        const pkg = dpkg.lookup(path);
        slots.push({ id, path, st });
        toHash.push({ id, path, md5: pkg?.md5 !== undefined, size: st.size });
        bytesTotal += st.size;
      }
      // sockets, FIFOs and device nodes are not programs
    }
  };

  const packageInfo = (path: string, md5: string | undefined): PackageInfo | undefined => {
    const p = dpkg.lookup(path);
    if (!p) return undefined;
    return {
      manager: 'dpkg',
      names: p.names,
      recordedPath: p.recordedPath,
      ...(p.md5 ? { recordedMd5: p.md5 } : {}),
      ...(p.md5 && md5 ? { verified: p.md5 === md5 } : {}),
    };
  };

  const describe = (path: string, st: Stats, what: Classification, sha256: string, md5: string | undefined): FileRecord => {
    const owner = accounts.userName(st.uid);
    const group = accounts.groupName(st.gid);
    const pkg = packageInfo(path, md5);
    const mount = mounts.containing(dirname(path));
    return {
      kind: 'file',
      path,
      type: what.type,
      size: st.size,
      mode: octal(st.mode),
      uid: st.uid,
      gid: st.gid,
      ...(owner !== undefined ? { owner } : {}),
      ...(group !== undefined ? { group } : {}),
      mtime: new Date(st.mtimeMs).toISOString(),
      ctime: new Date(st.ctimeMs).toISOString(),
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      dev: st.dev,
      ino: st.ino,
      sha256,
      ...(md5 ? { md5 } : {}),
      ...(what.elf ? { elf: what.elf } : {}),
      ...(what.pe ? { pe: what.pe } : {}),
      ...(what.script ? { script: what.script } : {}),
      ...(what.installer ? { installer: what.installer } : {}),
      ...(pkg ? { package: pkg } : {}),
      writableBy: writability.analyze(path, st),
      ...(mount ? { mount } : {}),
    };
  };

  for (const root of roots) walk(root);

  // Phase 2: hash and parse on the worker pool; write records in walk order as they complete.
  const posture = hostPosture(mounts);
  options.write(posture);
  let written = 0;
  const byType: Record<string, number> = {};
  let recorded = 0;
  let packageOwned = 0;
  let packageMismatch = 0;
  let writableByNonRoot = 0;
  const flush = () => {
    while (written < slots.length) {
      const s = slots[written];
      if (s === undefined || (s !== null && !('kind' in s))) return; // still hashing
      if (s !== null) {
        if (s.kind === 'file') {
          recorded++;
          byType[s.type] = (byType[s.type] ?? 0) + 1;
          if (s.package) packageOwned++;
          if (s.package?.verified === false) packageMismatch++;
          if (s.writableBy.users.length > 0 || s.writableBy.groups.length > 0 || s.writableBy.other) writableByNonRoot++;
        }
        options.write(s);
      }
      slots[written] = null; // free the record once written
      written++;
    }
  };
  let hashed = 0;
  let bytesHashed = 0;
  let filesDone = 0;
  let bytesDone = 0;
  const onResult = (r: HashResult) => {
    const c = slots[r.id] as Candidate;
    filesDone++;
    bytesDone += c.st.size;
    if ('error' in r) {
      errors++;
      slots[r.id] = { kind: 'error', path: c.path, error: r.error };
    } else if (!r.recorded) {
      unrecorded.push(fingerprint(c.st));
      slots[r.id] = null;
    } else {
      hashed++;
      bytesHashed += r.bytes;
      slots[r.id] = describe(c.path, c.st, r.classification, r.sha256, r.md5);
    }
    options.onProgress?.({ filesDone, filesTotal: toHash.length, bytesDone, bytesTotal });
    flush();
  };
  const workers = options.workers ?? defaultWorkerCount();
  options.onProgress?.({ filesDone: 0, filesTotal: toHash.length, bytesDone: 0, bytesTotal });
  flush();
  await hashAll(toHash, workers, onResult);
  flush();

  const finished = Date.now();
  const summary: SummaryRecord = {
    kind: 'summary',
    version: 1,
    roots,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    crossMounts,
    filesSeen,
    recorded,
    byType,
    symlinks,
    errors,
    hashed,
    bytesHashed,
    reused,
    packageOwned,
    packageMismatch,
    writableByNonRoot,
    workers: toHash.length === 0 ? 0 : Math.min(workers, toHash.length),
    rpm: rpmNote(),
    unrecorded,
  };
  options.write(summary);
  return summary;
}

function reusedClassification(r: FileRecord): Classification {
  return {
    type: r.type,
    ...(r.elf ? { elf: r.elf } : {}),
    ...(r.pe ? { pe: r.pe } : {}),
    ...(r.script ? { script: r.script } : {}),
    ...(r.installer ? { installer: r.installer } : {}),
  };
}

function rpmNote(): string {
  const state = rpmDatabaseState();
  if (state === 'absent') return 'no rpm database on this host: RPM ownership not checked';
  if (state === 'unreadable') return 'rpm database not readable: RPM ownership not checked';
  return 'rpm database present but not read: RPM ownership is not implemented yet';
}
