import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageLookup {
  readonly names: readonly string[];
  /** Path as dpkg recorded it. */
  readonly recordedPath: string;
  readonly md5?: string;
}

export interface DpkgDatabase {
  readonly available: boolean;
  lookup(path: string): PackageLookup | undefined;
}

/**
 * On merged-/usr systems /bin is a symlink to usr/bin and dpkg still records /bin/true, so
 * `dpkg -S /usr/bin/true` finds nothing. We try the path, then its alias through each top-level
 * directory that is a symlink into /usr.
 */
function usrMergeAliases(root: string): Array<[string, string]> {
  const aliases: Array<[string, string]> = [];
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    try {
      const p = join(root, top);
      if (!lstatSync(p).isSymbolicLink()) continue;
      const target = readlinkSync(p).replace(/^\/+/, '');
      if (target === `usr/${top}`) aliases.push([`/usr/${top}/`, `/${top}/`]);
    } catch {
      // absent: no alias
    }
  }
  return aliases;
}

/** Reads /var/lib/dpkg/info/*.list and *.md5sums (package names as dpkg -S prints them: pkg or pkg:arch). */
export function loadDpkg(infoDir = '/var/lib/dpkg/info', fsRoot = '/'): DpkgDatabase {
  const owners = new Map<string, string[]>();
  const md5s = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(infoDir);
  } catch {
    return { available: false, lookup: () => undefined };
  }
  for (const entry of entries) {
    const file = join(infoDir, entry);
    if (entry.endsWith('.list')) {
      const pkg = entry.slice(0, -'.list'.length);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const path of text.split('\n')) {
        if (!path || path === '/.') continue;
        const list = owners.get(path);
        if (!list) owners.set(path, [pkg]);
        else if (!list.includes(pkg)) list.push(pkg);
      }
    } else if (entry.endsWith('.md5sums')) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        // "d41d8cd98f00b204e9800998ecf8427e  usr/bin/true"
        const m = /^([0-9a-f]{32}) {2}(.+)$/.exec(line);
        if (m) md5s.set(`/${m[2]}`, m[1]!);
      }
    }
  }
  const aliases = usrMergeAliases(fsRoot);
  const at = (path: string): PackageLookup | undefined => {
    const names = owners.get(path);
    if (!names) return undefined;
    const md5 = md5s.get(path);
    return { names: [...names].sort(), recordedPath: path, ...(md5 ? { md5 } : {}) };
  };
  return {
    available: existsSync(infoDir),
    lookup(path) {
      const direct = at(path);
      if (direct) return direct;
      for (const [usr, top] of aliases) {
        if (path.startsWith(usr)) return at(top + path.slice(usr.length));
        if (path.startsWith(top)) return at(usr + path.slice(top.length));
      }
      return undefined;
    },
  };
}
