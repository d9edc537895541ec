/**
 * Package provenance for the core: the files dpkg or rpm owns under the given roots whose content
 * matches the package record now, each with its sha256. The core then calls a file "verified" only when the file
 * executed has exactly that content, so a package file modified after this scan never matches.
 */
import { type FileRecord, scan } from '@execguard/inventory';

/** A package file as the table carries it. */
export interface PackageFile {
  readonly name: string;
  readonly manager: 'dpkg' | 'rpm';
  readonly sha256: string;
}

export const DEFAULT_PACKAGE_ROOTS = ['/usr/bin', '/usr/sbin', '/usr/libexec', '/usr/lib'];

export async function packageFiles(roots: readonly string[] = DEFAULT_PACKAGE_ROOTS): Promise<Map<string, PackageFile>> {
  const out = new Map<string, PackageFile>();
  await scan({
    roots: roots.filter((r) => r.length > 0),
    verifyPackages: 'full',
    write: (r) => {
      if (r.kind !== 'file') return;
      const f = r as FileRecord;
      const name = f.package?.names[0];
      if (name && f.package?.verified === true) out.set(f.path, { name, manager: f.package.manager, sha256: f.sha256 });
    },
  });
  return out;
}
