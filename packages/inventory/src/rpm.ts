import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageDatabase, PackageLookup } from './packages.js';

/** Where RPM keeps its database (RHEL ≤ 8 and Debian's rpm: /var/lib/rpm; Fedora ≥ 36, RHEL 9: sysimage). */
export const RPM_DATABASES = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];

/** FILEDIGESTALGO values (RFC 4880 hash ids, as rpm uses them); a package without the tag uses MD5. */
const DIGEST_ALGORITHMS: Readonly<Record<string, 'md5' | 'sha256'>> = { '1': 'md5', '8': 'sha256' };

/**
 * One line per package ("@" name, install time, digest algorithm), then one per file (path, digest).
 * Tabs and newlines cannot occur in rpm package names; a path holding one is skipped (see parse).
 */
const QUERY = '@%{NAME}\\t%{INSTALLTIME}\\t%{FILEDIGESTALGO}\\n[%{FILENAMES}\\t%{FILEDIGESTS}\\n]';

export interface LoadRpmOptions {
  /** The database directory; default: the first of RPM_DATABASES that holds files. */
  readonly dbpath?: string;
  /** Only paths under these absolute paths are looked up later: the rest is skipped while parsing. */
  readonly scope?: readonly string[];
  /** Where the file system the database describes is mounted (for a database of another root). */
  readonly fsRoot?: string;
}

export class RpmQueryError extends Error {}

/** The database directory in use, or undefined when none holds anything. */
export function rpmDatabaseDir(): string | undefined {
  for (const dir of RPM_DATABASES) {
    try {
      if (readdirSync(dir).length > 0) return dir;
    } catch {
      // absent or unreadable: the next one
    }
  }
  return undefined;
}

/** The database's state: every file in its directory, by name, size and times (rpm rewrites them on any change). */
export function rpmKey(dbpath: string): string | undefined {
  try {
    const parts = readdirSync(dbpath)
      .filter((n) => !n.startsWith('.'))
      .sort()
      .map((n) => {
        const s = statSync(join(dbpath, n));
        return `${n}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      });
    return `rpm:${parts.join(',')}`;
  } catch {
    return undefined;
  }
}

const under = (path: string, prefixes: readonly string[] | undefined) =>
  !prefixes || prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));

/**
 * Reads the RPM database through `rpm -qa` (the database format — Berkeley DB, NDB or SQLite with
 * header blobs — is rpm's own business): which package owns each file in scope and the digest rpm
 * recorded for it. SHA-256 digests are compared with the scan's own hash, so verification costs
 * nothing extra; MD5 ones (packages built before rpm 4.6) need the file's MD5, as dpkg's do.
 * Throws RpmQueryError when the database exists but `rpm` cannot read it.
 */
export function loadRpm(options: LoadRpmOptions = {}): PackageDatabase {
  const dbpath = options.dbpath ?? rpmDatabaseDir();
  if (!dbpath || !existsSync(dbpath)) return { available: false, lookup: () => undefined };
  const r = spawnSync('rpm', ['--dbpath', dbpath, '-qa', '--qf', QUERY], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 120_000,
  });
  if (r.error)
    throw new RpmQueryError(`rpm -qa --dbpath ${dbpath}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  if (r.status !== 0) throw new RpmQueryError(`rpm -qa --dbpath ${dbpath} exited ${r.status}: ${r.stderr.trim().slice(0, 300)}`);
  const root = options.fsRoot?.replace(/\/+$/, '') ?? '';
  const prefixes = options.scope?.map((s) => (root && s.startsWith(`${root}/`) ? s.slice(root.length) : s));
  const owners = parseRpmQuery(r.stdout, prefixes);
  const key = rpmKey(dbpath);
  return {
    available: true,
    ...(key ? { key } : {}),
    lookup: (path) => owners.get(root && path.startsWith(`${root}/`) ? path.slice(root.length) : path),
  };
}

/**
 * The output of QUERY: path → owner and recorded digest, for paths under `prefixes` (all when
 * undefined). Lines of any other shape are skipped.
 */
export function parseRpmQuery(text: string, prefixes?: readonly string[]): Map<string, PackageLookup> {
  const owners = new Map<string, PackageLookup>();
  let name = '';
  let installedMs: number | undefined;
  let algorithm: 'md5' | 'sha256' | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('@')) {
      const [n = '', installed = '', algo = ''] = line.slice(1).split('\t');
      name = n;
      installedMs = /^\d+$/.test(installed) ? Number(installed) * 1000 : undefined;
      algorithm = algo === '(none)' ? 'md5' : DIGEST_ALGORITHMS[algo];
      continue;
    }
    const tab = line.lastIndexOf('\t');
    if (tab <= 0 || !name) continue;
    const path = line.slice(0, tab);
    if (!path.startsWith('/') || !under(path, prefixes)) continue;
    const digest = line.slice(tab + 1).toLowerCase();
    const had = owners.get(path);
    const names = had ? [...new Set([...had.names, name])].sort() : [name];
    const recorded =
      algorithm === 'sha256' && /^[0-9a-f]{64}$/.test(digest)
        ? { sha256: digest }
        : algorithm === 'md5' && /^[0-9a-f]{32}$/.test(digest)
          ? { md5: digest }
          : {};
    owners.set(path, {
      manager: 'rpm',
      names,
      recordedPath: path,
      // A path several packages own (multilib) keeps the digest of the last one listed, as for dpkg.
      ...(had?.sha256 && !('sha256' in recorded) ? { sha256: had.sha256 } : {}),
      ...(had?.md5 && !('md5' in recorded) ? { md5: had.md5 } : {}),
      ...recorded,
      ...(installedMs !== undefined ? { installedMs } : {}),
    });
  }
  return owners;
}
