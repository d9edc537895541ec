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
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type InventoryRecord,
  loadPrevious,
  type PreviousInventory,
  scan,
  scanToFile,
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
 * agent alone could have written it) and leaves its own there (private, replaced only once complete).
 * Every line also goes to `onLine`.
 */
export async function cachedScan(o: {
  readonly roots: readonly string[];
  readonly verifyPackages: VerifyPackages;
  readonly cacheFile?: string | undefined;
  readonly onLine?: (line: string) => void;
}): Promise<void> {
  const options = { roots: o.roots.filter((r) => r.length > 0), verifyPackages: o.verifyPackages };
  const onLine = o.onLine ?? (() => {});
  if (!o.cacheFile) {
    await scan({ ...options, writeLine: onLine });
    return;
  }
  const previous = await previousFrom(o.cacheFile);
  await scanToFile(o.cacheFile, { ...options, mode: 0o600, onLine, ...(previous ? { previous } : {}) });
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
    onLine: (line) => {
      const r = JSON.parse(line) as InventoryRecord;
      if (r.kind !== 'file') return;
      const name = r.package?.names[0];
      if (name && r.package?.verified === true) out.set(r.path, { name, manager: r.package.manager, sha256: r.sha256 });
    },
  });
  return out;
}
