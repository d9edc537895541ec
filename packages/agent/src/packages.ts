/**
 * Package provenance for the core: the files dpkg or rpm owns under the given roots whose content
 * matches the package record now, each with its sha256. The core then calls a file "verified" only
 * when the file executed has exactly that content, so a package file modified after this scan never
 * matches.
 *
 * The scan runs with every policy that has package identities. With a cache file it is a re-scan of
 * the previous one: files whose (device, inode, size, mtime, ctime) are unchanged keep their digests
 * and verdict instead of being read again (5.6 s → well under a second for /usr here).
 */
import { closeSync, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type FileRecord,
  type InventoryRecord,
  loadPrevious,
  type PreviousInventory,
  scan,
  type VerifyPackages,
} from '@execguard/inventory';

export const DEFAULT_PACKAGE_ROOTS = ['/usr/bin', '/usr/sbin', '/usr/libexec', '/usr/lib'];
/** The previous scans' inventories, in the agent's spool directory (not spool segments). */
export const PACKAGE_CACHE = 'package-files.inventory';
export const UPLOAD_CACHE = 'uploaded.inventory';

/** A package file as the table carries it. */
export interface PackageFile {
  readonly name: string;
  readonly manager: 'dpkg' | 'rpm';
  readonly sha256: string;
}

/**
 * The cache is trusted only as the agent's own: a regular file and directory owned by this user and
 * writable by nobody else (whoever could write it could make any content "verified").
 */
function ownedAndPrivate(path: string): boolean {
  const uid = process.getuid?.();
  try {
    return [path, dirname(path)].every((p, i) => {
      const st = lstatSync(p);
      return (i === 0 ? st.isFile() : st.isDirectory()) && st.uid === uid && (st.mode & 0o022) === 0;
    });
  } catch {
    return false;
  }
}

async function previousFrom(cacheFile: string | undefined): Promise<PreviousInventory | undefined> {
  if (!cacheFile || !ownedAndPrivate(cacheFile)) return undefined;
  try {
    return await loadPrevious(cacheFile);
  } catch {
    return undefined; // damaged: a full scan rewrites it
  }
}

/**
 * A scan of `roots` that re-scans the inventory left in `cacheFile` by the previous one (when the
 * agent alone could have written it) and leaves its own there, written whole before it replaces it.
 */
export async function cachedScan(o: {
  readonly roots: readonly string[];
  readonly verifyPackages: VerifyPackages;
  readonly cacheFile?: string | undefined;
  readonly onRecord?: (r: InventoryRecord) => void;
}): Promise<void> {
  const previous = await previousFrom(o.cacheFile);
  const temp = o.cacheFile ? `${o.cacheFile}.tmp-${process.pid}` : undefined;
  const fd = temp ? openSync(temp, 'w', 0o600) : undefined;
  let pending: string[] = [];
  const drain = () => {
    if (fd !== undefined && pending.length > 0) writeSync(fd, `${pending.join('\n')}\n`);
    pending = [];
  };
  try {
    await scan({
      roots: o.roots.filter((r) => r.length > 0),
      verifyPackages: o.verifyPackages,
      ...(previous ? { previous } : {}),
      write: (r) => {
        if (fd !== undefined) {
          pending.push(JSON.stringify(r));
          if (pending.length >= 1024) drain();
        }
        o.onRecord?.(r);
      },
    });
    drain();
  } catch (e) {
    if (temp) rmSync(temp, { force: true });
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (temp && o.cacheFile) renameSync(temp, o.cacheFile);
}

export async function packageFiles(
  roots: readonly string[] = DEFAULT_PACKAGE_ROOTS,
  cacheFile?: string,
): Promise<Map<string, PackageFile>> {
  const out = new Map<string, PackageFile>();
  await cachedScan({
    roots,
    verifyPackages: 'full',
    cacheFile,
    onRecord: (r) => {
      if (r.kind !== 'file') return;
      const f = r as FileRecord;
      const name = f.package?.names[0];
      if (name && f.package?.verified === true) out.set(f.path, { name, manager: f.package.manager, sha256: f.sha256 });
    },
  });
  return out;
}
