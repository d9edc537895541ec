import { dpkgKey, loadDpkg } from './dpkg.js';
import { loadRpm, RpmQueryError, rpmDatabaseDir, rpmKey } from './rpm.js';

/** What a package database (dpkg, rpm) says about one file. */
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

/**
 * The package databases of one scan: the host's dpkg and rpm, read on the first lookup (scoped to
 * the scan's roots), or the ones a test injects (then the host's are never read).
 */
export class ScanPackages {
  /** The databases' state: equal keys, equal package facts (a re-scan then reuses its previous ones). */
  readonly key: string | undefined;
  /** Whether rpm's database was read, and if not why. */
  rpmNote: string;
  private database: PackageDatabase | undefined;
  private readonly rpmDir: string | undefined;

  constructor(
    private readonly roots: readonly string[],
    private readonly injected?: { readonly dpkg?: PackageDatabase | undefined; readonly rpm?: PackageDatabase | undefined },
  ) {
    this.rpmDir = injected ? undefined : rpmDatabaseDir();
    this.key = injected
      ? [injected.dpkg?.key, injected.rpm?.key].filter((k) => k !== undefined).join('|') || undefined
      : `${dpkgKey() ?? 'dpkg:none'}|${this.rpmDir ? rpmKey(this.rpmDir) : 'rpm:none'}`;
    this.rpmNote = this.rpmDir ? `rpm database ${this.rpmDir} not needed: no file looked up` : 'no rpm database on this host';
  }

  lookup(path: string): PackageLookup | undefined {
    if (!this.database) {
      const found = this.injected
        ? [this.injected.dpkg, this.injected.rpm]
        : [loadDpkg(undefined, undefined, { scope: this.roots }), this.hostRpm()];
      this.database = combined(found.filter((d) => d !== undefined));
    }
    return this.database.lookup(path);
  }

  private hostRpm(): PackageDatabase | undefined {
    if (!this.rpmDir) return undefined;
    try {
      const rpm = loadRpm({ dbpath: this.rpmDir, scope: this.roots });
      this.rpmNote = `rpm database ${this.rpmDir} read with rpm -qa`;
      return rpm;
    } catch (e) {
      if (!(e instanceof RpmQueryError)) throw e;
      this.rpmNote = `rpm database ${this.rpmDir} not read (${e.message}): RPM ownership not checked`;
      return undefined;
    }
  }
}
