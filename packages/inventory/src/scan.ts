import { type Dirent, lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { type Accounts, loadAccounts } from './accounts.js';
import type { Classification } from './classify.js';
import type { HashResult } from './hash-protocol.js';
import { loadMounts, type MountTable } from './mounts.js';
import { type PackageDatabase, type PackageLookup, ScanPackages } from './packages.js';
import { defaultWorkerCount, HashPool } from './pool.js';
import { hostPosture } from './posture.js';
import { PreviousFile, type PreviousInventory } from './previous.js';
import type { FileRecord, FileType, InventoryRecord, PackageInfo, SummaryRecord, VerifyPackages, Writability } from './types.js';
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
  /**
   * Package verification against dpkg's md5sums: "full" hashes every package file with MD5 too;
   * "changed" (default) only those whose ctime is newer than their package's installation, the
   * others are verified by ctime; "off" records ownership only.
   */
  readonly verifyPackages?: VerifyPackages;
  /** Receives every record, in a stable order: posture, then walk order, then the summary. */
  readonly write?: (record: InventoryRecord) => void;
  /**
   * Instead of `write`: every record as one line of JSON (no newline), same order. An unchanged
   * file of a re-scan is passed on as its previous line, with writability and mount recomputed.
   */
  readonly writeLine?: (line: string) => void;
  readonly onProgress?: (p: ScanProgress) => void;
  /** For tests: alternative account and package databases (given either, the host's are not read). */
  readonly accounts?: Accounts;
  readonly dpkg?: PackageDatabase;
  readonly rpm?: PackageDatabase;
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
  /** Package ownership, when the file belongs to one; its verdict is completed by the MD5. */
  readonly pkg?: PackageLookup;
  /** Whether the verdict needs the file's MD5. */
  readonly md5: boolean;
}

/** An unchanged file whose previous line is written again with a recomputed tail. */
class ReusedLine {
  constructor(
    readonly line: string,
    readonly type: FileType,
    readonly pkg: PackageInfo | undefined,
    readonly writableBy: Writability,
  ) {}
}

// null: an unrecorded file (nothing to write)
type Slot = InventoryRecord | ReusedLine | Candidate | null;

type Fingerprinted = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;
/** The re-scan key: a file whose inode, size and both times are unchanged has unchanged content. */
const fingerprint = (st: Fingerprinted) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
const sameKey = (a: Fingerprinted, b: Fingerprinted) =>
  a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.dev === b.dev;
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
  if (!options.write && !options.writeLine) throw new TypeError('scan: write or writeLine is required');
  const emitLine = options.writeLine;
  const emit = emitLine ? (r: InventoryRecord) => emitLine(JSON.stringify(r)) : options.write!;
  const roots = resolveRoots(options.roots);
  const accounts = options.accounts ?? loadAccounts();
  const mode: VerifyPackages = options.verifyPackages ?? 'changed';
  // The package databases are read only when some file needs a package lookup: an unchanged
  // re-scan with the same databases' key reuses the package facts of its previous inventory.
  const packages = new ScanPackages(roots, options.dpkg || options.rpm ? { dpkg: options.dpkg, rpm: options.rpm } : undefined);
  const currentKey = packages.key;
  const mounts = options.mounts ?? loadMounts();
  const writability = new WritabilityAnalyzer(accounts);
  const previous = options.previous;
  const samePackages = currentKey !== undefined && previous?.packagesKey === currentKey;
  const crossMounts = options.crossMounts === true;

  /** Package facts and verdict; 'md5' when the verdict needs the file's MD5 and none is known. */
  const isoTimes = new Map<number, string>(); // one per package installation time
  const iso = (ms: number) => {
    let t = isoTimes.get(ms);
    if (t === undefined) {
      t = new Date(ms).toISOString();
      isoTimes.set(ms, t);
    }
    return t;
  };
  const packageInfo = (p: PackageLookup, st: Stats, md5: string | undefined, sha256?: string): PackageInfo | 'md5' => {
    const when = p.installedCtimeMs ?? p.installedMs;
    const installed = when !== undefined ? iso(when) : undefined;
    const base: PackageInfo = {
      manager: p.manager,
      names: p.names,
      recordedPath: p.recordedPath,
      ...(p.md5 ? { recordedMd5: p.md5 } : {}),
      ...(p.sha256 ? { recordedSha256: p.sha256 } : {}),
      ...(installed ? { installed } : {}),
    };
    if (mode === 'off') return base;
    // rpm's SHA-256 is compared with the scan's own hash (known once the file is hashed).
    if (p.sha256) return sha256 ? { ...base, verified: p.sha256 === sha256, verifiedBy: 'sha256' } : base;
    if (!p.md5) return base;
    if (md5) return { ...base, verified: p.md5 === md5, verifiedBy: 'md5' };
    // Not written, chmod-ed, chown-ed or replaced since dpkg installed the package (kernel-kept ctime).
    if (mode === 'changed' && p.installedCtimeMs !== undefined && st.ctimeMs <= p.installedCtimeMs)
      return { ...base, verified: true, verifiedBy: 'ctime' };
    return 'md5';
  };
  /** An earlier verdict this mode accepts (same database, same file): reused as it is. */
  const reusablePackage = (before: FileRecord): PackageInfo | undefined | false => {
    const p = before.package;
    if (!p) return undefined;
    if (mode === 'off') {
      const { verified: _v, verifiedBy: _b, ...rest } = p;
      return rest;
    }
    if (!p.recordedMd5) return p;
    const by = p.verifiedBy ?? (p.verified !== undefined ? 'md5' : undefined);
    if (by === 'md5' || (by === 'ctime' && mode === 'changed')) return p;
    return false;
  };

  // Phase 1: walk (lstat only; cheap), deciding per file whether an earlier result can be reused.
  const slots: Slot[] = [];
  // Hashing starts while the walk goes on: batches go to the worker threads as they fill.
  const workers = options.workers ?? defaultWorkerCount();
  const pool = new HashPool(workers, (r) => onResult(r));
  if (!previous || previous.files.size === 0) pool.warm(); // a first scan hashes: have a thread ready
  let queued = 0;
  const unrecorded: string[] = [];
  let filesSeen = 0;
  let symlinks = 0;
  let errors = 0;
  let reused = 0;
  let bytesTotal = 0;
  const seenDirs = new Set<string>(); // overlapping roots are walked once
  const fail = (path: string, e: unknown) => {
    slots.push({ kind: 'error', path, error: (e as NodeJS.ErrnoException).code ?? String(e) });
    errors++;
  };
  const onFile = (path: string, st: Stats) => {
    filesSeen++;
    const known = previous?.files.get(path);
    if (known instanceof PreviousFile && samePackages && sameKey(known, st)) {
      const again = reuseLine(known, path, st);
      if (again) {
        reused++;
        slots.push(again);
        return;
      }
    }
    const before = known instanceof PreviousFile ? known.record() : known;
    if (before && sameKey(before, st)) {
      // Same inode, size and times: same content and type. Package facts come from the earlier
      // record when the dpkg database is unchanged, else from the database (MD5 from the record).
      let pkg: PackageInfo | undefined | 'md5';
      const again = samePackages ? reusablePackage(before) : false;
      if (again !== false) pkg = again;
      else {
        const p = packages.lookup(path);
        pkg = p ? packageInfo(p, st, before.md5, before.sha256) : undefined;
      }
      if (pkg !== 'md5') {
        reused++;
        slots.push(describe(path, st, reusedClassification(before), before.sha256, before.md5, pkg));
        return;
      }
    } else if (previous && previous.unrecorded.size > 0 && previous.unrecorded.has(fingerprint(st))) {
      unrecorded.push(fingerprint(st));
      slots.push(null);
      return;
    }
    const id = slots.length;
    const pkg = packages.lookup(path);
    const md5 = pkg !== undefined && packageInfo(pkg, st, undefined) === 'md5';
    slots.push({ id, path, st, md5, ...(pkg ? { pkg } : {}) });
    queued++;
    // Hard links are one file: the first link is hashed, the others get its digests and are only
    // classified (e.g. Mesa's 13 names for one 26 MB driver).
    if (st.nlink > 1) {
      const inode = `${st.dev}:${st.ino}`;
      const first = firstLink.get(inode);
      if (first === undefined) firstLink.set(inode, { id, st });
      else if (sameKey(first.st, st)) {
        // Only while the inode has the key its first link was hashed under.
        const done = linkResult.get(first.id);
        if (done !== undefined) pushLink(id, done);
        else linkWaiters.set(first.id, [...(linkWaiters.get(first.id) ?? []), id]);
        return;
      }
    }
    pool.push({ id, path, md5, size: st.size });
    bytesTotal += st.size;
  };
  const firstLink = new Map<string, { id: number; st: Stats }>(); // inode → its first link and that link's lstat
  const linkResult = new Map<number, HashResult>(); // a first link's result, for links met later
  const linkWaiters = new Map<number, number[]>(); // links met before their first link's result
  /** Queues another link of an inode whose first link has `r`: classified only when `r` has what it needs. */
  const pushLink = (id: number, r: HashResult) => {
    const c = slots[id] as Candidate;
    const st = c.st;
    if ('recorded' in r && r.recorded && (r.md5 !== undefined || !c.md5)) {
      const known = {
        sha256: r.sha256,
        ...(r.md5 ? { md5: r.md5 } : {}),
        size: st.size,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
      };
      pool.push({ id, path: c.path, md5: c.md5, size: 0, known });
    } else {
      pool.push({ id, path: c.path, md5: c.md5, size: st.size });
      bytesTotal += st.size;
    }
  };
  /**
   * The previous line of an unchanged file, when everything in it before the writability still
   * holds: same key (so same content, type, mode, uid, gid), same package database and a verdict
   * this mode accepts as it is, same user and group names. Writability and mount are recomputed
   * (a directory above or the mount may have changed). Undefined: build the record again.
   */
  const reuseLine = (p: PreviousFile, path: string, st: Stats): ReusedLine | undefined => {
    const line = p.line;
    const owner = accounts.userName(st.uid);
    const group = accounts.groupName(st.gid);
    const ids = `,"mode":"${octal(st.mode)}","uid":${st.uid},"gid":${st.gid}${owner !== undefined ? `,"owner":${JSON.stringify(owner)}` : ''}${group !== undefined ? `,"group":${JSON.stringify(group)}` : ''},"mtime":"`;
    if (!line.includes(ids)) return undefined;
    const typeAt = line.indexOf('","type":"') + 10;
    const type = line.slice(typeAt, line.indexOf('"', typeAt)) as FileType;
    let pkg: PackageInfo | undefined;
    const pkgAt = line.lastIndexOf(',"package":{', p.tailAt);
    if (pkgAt > 0) {
      try {
        pkg = JSON.parse(line.slice(pkgAt + 11, p.tailAt)) as PackageInfo;
      } catch {
        return undefined;
      }
      if (reusablePackage({ package: pkg } as FileRecord) !== pkg) return undefined;
    }
    const writableBy = writability.analyze(path, st);
    const mount = mounts.containing(dirname(path));
    const tail = `,"writableBy":${JSON.stringify(writableBy)}${mount ? `,"mount":${JSON.stringify(mount)}` : ''}}`;
    return new ReusedLine(line.slice(0, p.tailAt) + tail, type, pkg, writableBy);
  };
  const onSymlink = (path: string) => {
    symlinks++;
    let target = '';
    try {
      target = readlinkSync(path);
    } catch (e) {
      fail(path, e);
      return;
    }
    const resolved = resolve(dirname(path), target);
    slots.push({ kind: 'symlink', path, target, resolved, inScope: roots.some((r) => within(resolved, r)) });
  };
  let lastYield = Date.now();
  const walk = async (root: string) => {
    const rootDev = lstatSync(root).dev;
    // Entries carry the type readdir reported (d_type), so only files and directories are lstat-ed.
    const stack: Array<{ path: string; dirent?: Dirent }> = [{ path: root }];
    while (stack.length > 0) {
      const { path, dirent } = stack.pop()!;
      // Let results in now and then, so the threads get their next batches during the walk.
      if (Date.now() - lastYield >= 5) {
        await new Promise(setImmediate);
        lastYield = Date.now();
      }
      if (dirent?.isSymbolicLink()) {
        onSymlink(path);
        continue;
      }
      // sockets, FIFOs and device nodes are not programs (an unknown d_type is lstat-ed)
      if (dirent && (dirent.isFIFO() || dirent.isSocket() || dirent.isCharacterDevice() || dirent.isBlockDevice())) continue;
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch (e) {
        fail(path, e);
        continue;
      }
      if (st.isSymbolicLink()) onSymlink(path);
      else if (st.isDirectory()) {
        if (seenDirs.has(path)) continue;
        seenDirs.add(path);
        if (st.dev !== rootDev && !crossMounts) continue; // another file system: only with --cross-mounts
        let entries: Dirent[];
        try {
          entries = readdirSync(path, { withFileTypes: true });
        } catch (e) {
          fail(path, e);
          continue;
        }
        // Reverse-sorted onto the stack so entries come out in sorted order: stable output for diffs.
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (let i = entries.length - 1; i >= 0; i--) {
          const d = entries[i]!;
          stack.push({ path: path === '/' ? `/${d.name}` : `${path}/${d.name}`, dirent: d });
        }
      } else if (st.isFile()) onFile(path, st);
      // sockets, FIFOs and device nodes are not programs
    }
  };

  const describe = (
    path: string,
    st: Stats,
    what: Classification,
    sha256: string,
    md5: string | undefined,
    pkg: PackageInfo | undefined,
  ): FileRecord => {
    const owner = accounts.userName(st.uid);
    const group = accounts.groupName(st.gid);
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

  // Hash and parse on the worker pool; write records in walk order as they complete. The posture
  // record comes first.
  emit(hostPosture(mounts));
  let written = 0;
  const byType: Record<string, number> = {};
  let recorded = 0;
  let packageOwned = 0;
  let packageMismatch = 0;
  const verifiedBy = { md5: 0, ctime: 0, sha256: 0 };
  let writableByNonRoot = 0;
  const count = (type: FileType, pkg: PackageInfo | undefined, writableBy: Writability) => {
    recorded++;
    byType[type] = (byType[type] ?? 0) + 1;
    if (pkg) packageOwned++;
    if (pkg?.verified === false) packageMismatch++;
    if (pkg?.verified !== undefined) verifiedBy[pkg.verifiedBy ?? 'md5']++;
    if (writableBy.users.length > 0 || writableBy.groups.length > 0 || writableBy.other) writableByNonRoot++;
  };
  const flush = () => {
    while (written < slots.length) {
      const s = slots[written];
      if (s === undefined || (s !== null && 'id' in s)) return; // still hashing
      if (s instanceof ReusedLine) {
        count(s.type, s.pkg, s.writableBy);
        if (emitLine) emitLine(s.line);
        else emit(JSON.parse(s.line) as FileRecord);
      } else if (s !== null) {
        if (s.kind === 'file') count(s.type, s.package, s.writableBy);
        emit(s);
      }
      slots[written] = null; // free the record once written
      written++;
    }
  };
  let hashed = 0;
  let bytesHashed = 0;
  let filesDone = 0;
  let bytesDone = 0;
  let sharedByLink = 0;
  const onResult = (r: HashResult) => {
    const c = slots[r.id] as Candidate;
    if (c.st.nlink > 1 && firstLink.get(`${c.st.dev}:${c.st.ino}`)?.id === r.id) {
      linkResult.set(r.id, r);
      for (const id of linkWaiters.get(r.id) ?? []) pushLink(id, r);
      linkWaiters.delete(r.id);
    }
    filesDone++;
    if (!('shared' in r && r.shared)) bytesDone += c.st.size;
    if ('error' in r) {
      errors++;
      slots[r.id] = { kind: 'error', path: c.path, error: r.error };
    } else if (!r.recorded) {
      unrecorded.push(fingerprint(c.st));
      slots[r.id] = null;
    } else {
      if (r.shared) sharedByLink++;
      else hashed++;
      bytesHashed += r.bytes;
      const pkg = c.pkg ? packageInfo(c.pkg, c.st, r.md5, r.sha256) : undefined;
      // 'md5' cannot happen: the request asked for the MD5 whenever the verdict needs it.
      slots[r.id] = describe(c.path, c.st, r.classification, r.sha256, r.md5, pkg === 'md5' ? undefined : pkg);
    }
    options.onProgress?.({ filesDone, filesTotal: queued, bytesDone, bytesTotal });
    flush();
  };
  options.onProgress?.({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
  for (const root of roots) await walk(root);
  options.onProgress?.({ filesDone, filesTotal: queued, bytesDone, bytesTotal });
  flush();
  await pool.end();
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
    sharedByLink,
    reused,
    packageOwned,
    packageMismatch,
    verifyPackages: mode,
    verifiedByMd5: verifiedBy.md5,
    verifiedByCtime: verifiedBy.ctime,
    verifiedBySha256: verifiedBy.sha256,
    ...(currentKey ? { packagesKey: currentKey } : {}),
    writableByNonRoot,
    workers: pool.started,
    rpm: packages.rpmNote,
    unrecorded,
  };
  emit(summary);
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
