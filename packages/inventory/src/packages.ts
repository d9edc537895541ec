/** What a package database says about one file, and the databases themselves (dpkg, rpm). */
export interface PackageLookup {
  readonly manager: 'dpkg' | 'rpm';
  readonly names: readonly string[];
  /** Path as the package manager recorded it (dpkg on merged /usr: /bin/true for /usr/bin/true). */
  readonly recordedPath: string;
  /** The file's recorded MD5 (dpkg's md5sums; rpm packages built with MD5 file digests). */
  readonly md5?: string;
  /** The file's recorded SHA-256 (rpm's file digests since rpm 4.6): compared with the scan's own hash. */
  readonly sha256?: string;
  /**
   * When dpkg last installed the owning package(s): the earliest ctime of their .list and .md5sums
   * files in the info directory (dpkg writes both after it has put the package's files in place).
   * A file whose own ctime is not newer has not been modified, chmod-ed or replaced since, unless
   * root forged it (see docs/adr/0005-package-verification-cost.md). Undefined when unknown.
   */
  readonly installedCtimeMs?: number;
  /** When the package was installed, as the package manager recorded it (rpm's INSTALLTIME). */
  readonly installedMs?: number;
}

export interface PackageDatabase {
  readonly available: boolean;
  /**
   * Identifies the state of the database: two scans with the same key saw the same package data, so
   * package facts of an unchanged file can be reused.
   */
  readonly key?: string;
  lookup(path: string): PackageLookup | undefined;
}

/** dpkg first, then rpm (a host with both, e.g. Debian with rpm installed, rarely owns a file twice). */
export function combined(databases: readonly PackageDatabase[]): PackageDatabase {
  const keys = databases.map((d) => d.key);
  return {
    available: databases.some((d) => d.available),
    ...(keys.every((k) => k !== undefined) ? { key: keys.join('|') } : {}),
    lookup(path) {
      for (const d of databases) {
        const found = d.lookup(path);
        if (found) return found;
      }
      return undefined;
    },
  };
}
